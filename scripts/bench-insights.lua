-- wrk script of make bench-insights: plain GETs; at the end one line "WRK_JSON {...}" with counts
-- and the latency percentiles the dashboard's goal is stated in (p50, p95, p99; microseconds).
-- The peer harness's load/predict.lua prints p50/p90/p99 only.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"status_errors":%d,' ..
    '"lat_p50_us":%d,"lat_p95_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
