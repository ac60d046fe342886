package main
import (
"fmt"
"net/http"
"bytes"
"encoding/json"
)
func main() {
data := []byte(`{
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
}`)
req, err := http.NewRequest("POST", "https://api.sendkit.ai/v1/reports", bytes.NewBuffer(data))
if err != nil {
panic(err)
}
req.Header.Set("Content-Type", "application/json")
req.Header.Set("X-Api-Key", "YOUR_API_KEY")
client := &http.Client{}
resp, err := client.Do(req)
if err != nil {
panic(err)
}
defer resp.Body.Close()
fmt.Println("Response Status:", resp.Status)
}
