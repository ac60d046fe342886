curl -X POST "https://api.sendkit.ai/v1/reports" \
-H "Content-Type: application/json" \
-H "X-Api-Key: YOUR_API_KEY" \
-d '{
"reportType": "campaign",
"campaignIds": [
"664f0a1b2c3d4e5f6a7b8c01",
"664f0a1b2c3d4e5f6a7b8c02"
],
"periodStart": "2026-01-01",
"periodEnd": "2026-04-17",
"sections": {
"executiveSummary": true,
"campaignPerformance": true,
"mailboxHealth": false
}
}'
