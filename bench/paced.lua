-- wrk script for latency at a given rate: bench/wrk.lua's requests and report, sent at random moments
-- that form a Poisson process at the rate asked for (`-- get 40`: a mean of 40 ms between one thread's
-- requests). A connection that comes free waits for the next moment due, so the rate holds whatever
-- the response times are, and requests arrive independently, as from many separate clients.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk.lua")

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clock_id, timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local request_init = init
local mean_gap_ms = 0
local next_due_ms = nil
function init(args)
  request_init(args)
  mean_gap_ms = tonumber(args[2]) or 0
end

function delay()
  local now = now_ms()
  next_due_ms = (next_due_ms or now) - math.log(1 - math.random()) * mean_gap_ms
  return math.max(next_due_ms - now, 0)
end
