# The two commands a newcomer needs: `make demo` and `make test`. Both install
# any missing Debian packages first (as root, or through sudo), then build.
BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
PACKAGES   := cmake make g++ libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev \
              libcli11-dev nlohmann-json3-dev libcpp-httplib-dev pkg-config prometheus libcaf-dev python3 clang-format
comma      := ,
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

SOAK_CASES ?= 200000
# make demo DEMO_ARGS="--metrics-port 9464 --metrics-linger 60" serves metrics too.
DEMO_ARGS  ?=

.PHONY: all deps build demo test test-asan test-tsan test-all soak bench format clean

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

# build DIR with extra cmake arguments
define configure_and_build
	cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(2) $(CMAKE_ARGS) >/dev/null
	cmake --build $(1) -j $(JOBS)
endef

build: deps
	$(call configure_and_build,$(BUILD),)

demo: build
	./$(BUILD)/cli/troupe run $(DEMO_ARGS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	$(call configure_and_build,$(BUILD)-asan,-DTROUPE_SANITIZE=address$(comma)undefined -DTROUPE_PROPERTY_CASES=1000)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(BUILD)-asan --output-on-failure -j $(JOBS) -E '^bench_'

test-tsan: deps
	$(call configure_and_build,$(BUILD)-tsan,-DTROUPE_SANITIZE=thread -DTROUPE_PROPERTY_CASES=300)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  setarch $$(uname -m) -R ctest --test-dir $(BUILD)-tsan --output-on-failure -j $(JOBS) -E '^bench_'

test-all: test test-asan test-tsan

# Nightly: every property with SOAK_CASES cases (make soak SOAK_CASES=1000000).
soak: build
	RC_PARAMS="max_success=$(SOAK_CASES)" ./$(BUILD)/properties/properties

# Every suite (troupe on both schedulers, the raw baseline, CAF when
# installed) in one run, JSON in out/, then the troupe/CAF and troupe/raw table.
# Compare two runs with: bench/compare OLD.json NEW.json --threshold 10
bench: build
	@mkdir -p out
	for b in $(BUILD)/bench/bench_*; do $$b --benchmark_out=out/$$(basename $$b).json --benchmark_out_format=json; done
	python3 bench/compare --ratios out/*.json

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan out
