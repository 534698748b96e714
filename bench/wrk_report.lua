-- wrk reporter: one machine-readable line with the percentiles wrk --latency does not print (p95).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "errors": %d, "p50": %d, "p90": %d, '
      .. '"p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
