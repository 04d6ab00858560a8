# The two commands a newcomer needs: `make demo` and `make test`. Both install
# any missing Debian packages first (as root, or through sudo), then build.
BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
PACKAGES   := cmake make g++ libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev \
              libcli11-dev nlohmann-json3-dev zlib1g-dev libcpp-httplib-dev pkg-config prometheus libcaf-dev python3 clang-format \
              clang libclang-rt-14-dev chromium libbenchmark-tools python3-scipy
comma      := ,
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

SOAK_CASES ?= 200000
# make fuzz: the libFuzzer targets (fuzz/) for FUZZ_SECONDS, split between them;
# make fuzz-smoke: a minute, for CI. Findings land in $(FUZZ_BUILD)/findings.
FUZZ_SECONDS ?= 600
FUZZ_BUILD   ?= $(BUILD)-fuzz
FUZZ_TARGETS := trace_reader trace_pipeline
# make demo DEMO_ARGS="--metrics-port 9464 --metrics-linger 60" serves metrics too.
DEMO_ARGS  ?=

.PHONY: all deps build demo test test-asan test-tsan test-all soak bench bench-record bench-gate fuzz \
        fuzz-smoke format clean test-install test-release test-debug test-clang test-slurm

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Debug information as line tables only (-g1): stack traces, sanitizer
# reports and perf still name file and line, and a build takes a third less
# time than with full -g (measured: 39 s -> 25 s for a test file). Set
# DEBUG_INFO=-g for a build to step through in a debugger.
DEBUG_INFO ?= -g1

# build DIR with extra cmake arguments
define configure_and_build
	cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTROUPE_WERROR=ON \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 $(DEBUG_INFO) -DNDEBUG" $(2) $(CMAKE_ARGS) >/dev/null
	cmake --build $(1) -j $(JOBS)
endef

# The sanitizer builds are compiled at -O1, as the sanitizers advise: half
# the compile time of -O2 -g (measured: 39 s -> 19 s for a test file).
SANITIZER_FLAGS := "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 $(DEBUG_INFO) -DNDEBUG"

build: deps
	$(call configure_and_build,$(BUILD),)

demo: build
	./$(BUILD)/cli/troupe run $(DEMO_ARGS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The sanitizer builds leave out the benchmarks: make test runs their smoke
# tests, and instrumenting them (the CAF peer above all) only costs CI minutes.
# ASan+UBSan builds with clang++: it compiles them in 60% of g++'s time
# (57 s against 91 s for the largest test file), and it makes this the build
# that holds troupe to clang's warnings under -Werror, as test-clang does.
# TSan stays with g++ (as fast, and g++ must pass a sanitizer too).
# float-cast-overflow (a double too big for the integer it is cast to) is
# asked for by name: g++'s `undefined` leaves it out.
test-asan: deps
	$(call configure_and_build,$(BUILD)-asan,-DCMAKE_CXX_COMPILER=clang++ -DTROUPE_SANITIZE=address$(comma)undefined$(comma)float-cast-overflow -DTROUPE_PROPERTY_CASES=1000 -DTROUPE_BUILD_BENCHMARKS=OFF $(SANITIZER_FLAGS))
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(BUILD)-asan --output-on-failure -j $(JOBS) -E '^bench_'

test-tsan: deps
	$(call configure_and_build,$(BUILD)-tsan,-DTROUPE_SANITIZE=thread -DTROUPE_PROPERTY_CASES=300 -DTROUPE_BUILD_BENCHMARKS=OFF $(SANITIZER_FLAGS))
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/.tsan-suppressions \
	  setarch $$(uname -m) -R ctest --test-dir $(BUILD)-tsan --output-on-failure -j $(JOBS) -E '^bench_'

# The other configurations a user may build: g++ Release (-O3), g++ Debug
# (no optimisation, assert() on), clang++ Release.
# Each builds everything it adds value to, with -Werror, and passes; the
# properties run fewer cases (RelWithDebInfo runs the full count) and the
# benchmark smoke tests run in make test only. The benchmarks are built
# where -O3 can warn in them (Release), not again by clang++ (users building
# troupe as a subproject never build them).
EXTRA_PROPERTY_CASES ?= 1000
define test_configuration
	cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=$(2) -DTROUPE_WERROR=ON \
	  -DTROUPE_PROPERTY_CASES=$(EXTRA_PROPERTY_CASES) $(3) $(CMAKE_ARGS) >/dev/null
	cmake --build $(1) -j $(JOBS)
	ctest --test-dir $(1) --output-on-failure -j $(JOBS) -E '^bench_.*_smoke$$'
endef

test-release: deps
	$(call test_configuration,$(BUILD)-release,Release,-DCMAKE_CXX_COMPILER=g++)

test-debug: deps
	$(call test_configuration,$(BUILD)-debug,Debug,-DCMAKE_CXX_COMPILER=g++ -DTROUPE_BUILD_BENCHMARKS=OFF)

test-clang: deps
	$(call test_configuration,$(BUILD)-clang,Release,-DCMAKE_CXX_COMPILER=clang++ -DTROUPE_BUILD_BENCHMARKS=OFF)

# As a user sees troupe: cmake --install into a temporary prefix, then
# examples/consumer through find_package, FetchContent and add_subdirectory,
# a pkg-config build, and every public header compiled alone by g++ and clang++.
test-install: build
	.ci/consumer-test $(BUILD)

test-all: test test-install test-release test-debug test-clang test-asan test-tsan fuzz-smoke

# Nightly: every property with SOAK_CASES cases (make soak SOAK_CASES=1000000).
soak: build
	RC_PARAMS="max_success=$(SOAK_CASES)" ./$(BUILD)/properties/properties

# Seeded with the corpus in traces/ and the CLI's test data; a new corpus
# grows in $(FUZZ_BUILD)/corpus. A crash stops the run and fails the target.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTROUPE_FUZZ=ON -DTROUPE_SANITIZE=address$(comma)undefined $(CMAKE_ARGS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) $(foreach t,$(FUZZ_TARGETS),--target fuzz_$(t))
	@mkdir -p $(FUZZ_BUILD)/findings
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t && \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) -timeout=20 \
	    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/findings/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t traces cli/testdata || exit 1; \
	done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=60

# The Slurm job-array path on this machine (installs slurm-wlm and munge,
# starts them for localhost only, stops them after): deploy/slurm/.
test-slurm: build
	deploy/slurm/test-on-localhost.sh $(BUILD)/cli/troupe

# make bench: every suite (troupe on both schedulers, the raw baseline, CAF when
# installed) in one run, JSON in BENCH_OUT, then the troupe/CAF and troupe/raw
# table; ARGS go to every suite (ARGS="--benchmark_filter=PingPong").
# make bench-record: the same with BENCH_REPETITIONS repetitions of each
# benchmark, interleaved, the input of the regression gate (about 9x as long).
# make bench-gate BASE=DIR [NEW=DIR] [GATE_ARGS="--threshold 10"]: bench/compare
# on two recorded runs; it exits 0 passed, 1 regression or missing benchmark, 2
# unusable input. bench_gate_probe is the gate's own test subject, not a suite.
ARGS              ?=
BENCH_OUT         ?= out
BENCH_REPETITIONS ?= 9
NEW               ?= $(BENCH_OUT)
GATE_ARGS         ?=
# Each suite with BENCH_ARGS, set by the target.
define run_benchmarks
	@mkdir -p $(BENCH_OUT) && rm -f $(BENCH_OUT)/bench_*.json
	@for b in $(BUILD)/bench/bench_*; do \
	  case $$b in *_gate_probe) continue ;; esac; \
	  echo "$$b"; \
	  $$b --benchmark_out=$(BENCH_OUT)/$$(basename $$b).json --benchmark_out_format=json $(BENCH_ARGS) || exit 1; \
	done
	python3 bench/compare --ratios $(BENCH_OUT)/*.json
endef

bench: BENCH_ARGS = $(ARGS)
bench: build
	$(run_benchmarks)

bench-record: BENCH_ARGS = --benchmark_repetitions=$(BENCH_REPETITIONS) --benchmark_enable_random_interleaving=true \
                           --benchmark_display_aggregates_only=true $(ARGS)
bench-record: build
	$(run_benchmarks)

bench-gate:
	@[ -n "$(BASE)" ] || { echo "make bench-gate: give BASE=DIR, a make bench-record run to compare with"; exit 2; }
	python3 bench/compare $(BASE) $(NEW) $(GATE_ARGS)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-release $(BUILD)-debug $(BUILD)-clang $(FUZZ_BUILD) out
