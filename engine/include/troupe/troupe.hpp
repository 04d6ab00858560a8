// The public API in one include: systems, actors, refs, props, supervision,
// mailboxes, events and the production scheduler.
#pragma once

#include "troupe/actor.hpp"
#include "troupe/actor_ref.hpp"
#include "troupe/ask.hpp"
#include "troupe/ask_result.hpp"
#include "troupe/context.hpp"
#include "troupe/events.hpp"
#include "troupe/failure.hpp"
#include "troupe/mailbox.hpp"
#include "troupe/pool.hpp"
#include "troupe/props.hpp"
#include "troupe/reply_to.hpp"
#include "troupe/result.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/send_result.hpp"
#include "troupe/supervision.hpp"
#include "troupe/system.hpp"
#include "troupe/system_types.hpp"
#include "troupe/thread_scheduler.hpp"
#include "troupe/time.hpp"
