package tools

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// BenchmarkShapeGetImage shapes the 2.3 MB StackRox GetImage fixture to the default budget.
func BenchmarkShapeGetImage(b *testing.B) {
	body, err := os.ReadFile("../internal/fakecentral/testdata/nodejs-centos-6.stackrox-fixture.json")
	if err != nil {
		b.Fatal(err)
	}
	benchShape(b, body)
}

// BenchmarkShapeListImages shapes a ListImages answer of 10,000 images.
func BenchmarkShapeListImages(b *testing.B) {
	type listed struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Cves int    `json:"cves"`
	}
	items := make([]listed, 10000)
	for i := range items {
		items[i] = listed{fmt.Sprintf("sha256:%064x", i), fmt.Sprintf("registry.example.com/app-%d:1", i), i % 97}
	}
	body, _ := json.Marshal(map[string]any{"images": items})
	benchShape(b, body)
}

func benchShape(b *testing.B, body []byte) {
	s := shaper{maxBytes: DefaultMaxOutputBytes}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if res := s.shapeJSON(body, nil, ""); res.IsError {
			b.Fatal(resultText(res))
		}
	}
}
