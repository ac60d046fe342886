import requests
import json
url = "https://api.sendkit.ai/v1/reports"
headers = {
"Content-Type": "application/json",
"X-Api-Key": "YOUR_API_KEY"
}
data = {
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
}
response = requests.post(url, headers=headers, json=data)
print(response.json())
