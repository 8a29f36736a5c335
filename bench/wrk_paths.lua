-- wrk script: each request asks one of the paths listed in the file $WRK_PATHS, at random (seeded);
-- at the end, one line "RESULT requests_per_second p50_ms p95_ms non_2xx_or_3xx requests".
local paths = {}

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    paths[#paths + 1] = line
  end
  math.randomseed(tonumber(os.getenv("WRK_SEED") or "1"))
end

function request()
  return wrk.format(nil, paths[math.random(#paths)])
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.errors.status, summary.requests))
end
