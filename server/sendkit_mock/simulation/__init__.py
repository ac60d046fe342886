"""What the mock simulates beyond SendKit's rules: preferences per request (`Prefer`), and per session
latency, injected errors and rate limits. Pure: no framework; the web layer applies it."""
