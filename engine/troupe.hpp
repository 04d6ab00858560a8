// The public API in one include: systems, actors, refs, props, supervision,
// mailboxes, events and the production scheduler.
#pragma once

#include "engine/actor.hpp"
#include "engine/actor_ref.hpp"
#include "engine/context.hpp"
#include "engine/events.hpp"
#include "engine/failure.hpp"
#include "engine/mailbox.hpp"
#include "engine/pool.hpp"
#include "engine/props.hpp"
#include "engine/result.hpp"
#include "engine/scheduler.hpp"
#include "engine/send_result.hpp"
#include "engine/supervision.hpp"
#include "engine/system.hpp"
#include "engine/system_types.hpp"
#include "engine/thread_scheduler.hpp"
#include "engine/time.hpp"
