-- wrk script for latency at a moderate rate: bench/wrk.lua's requests and report, with a random pause
-- before every request (exponential, mean in milliseconds after the mode: `-- get 80`). The connections
-- then send independently of each other, as separate clients do, instead of in step.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk.lua")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local request_init = init
local mean_pause_ms = 0
function init(args)
  request_init(args)
  mean_pause_ms = tonumber(args[2]) or 0
  math.randomseed(os.time() * 1000 + seed)
end

function delay()
  return -math.log(1 - math.random()) * mean_pause_ms
end
