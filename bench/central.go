package main

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
)

// central is a local TLS stand-in for StackRox Central: ListImages of n synthetic images,
// GetImage of the fixture, CountImages. Central itself cannot run here.
type central struct {
	srv      *httptest.Server
	caFile   string
	list     []byte
	image    []byte
	endpoint string
}

func startCentral(dir string, images int, fixture []byte) (*central, error) {
	c := &central{image: fixture}
	type listed struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Components  int    `json:"components"`
		Cves        int    `json:"cves"`
		FixableCves int    `json:"fixableCves"`
		Created     string `json:"created"`
		LastUpdated string `json:"lastUpdated"`
		Priority    string `json:"priority"`
	}
	all := make([]listed, images)
	for i := range all {
		all[i] = listed{
			ID:         fmt.Sprintf("sha256:%064x", i+1),
			Name:       fmt.Sprintf("registry.example.com/team-%d/app-%d:1.%d", i%50, i, i%10),
			Components: i % 300, Cves: i % 97, FixableCves: i % 31,
			Created: "2024-02-14T18:10:01Z", LastUpdated: "2024-03-01T10:00:00Z",
			Priority: fmt.Sprint(i + 1),
		}
	}
	var err error
	if c.list, err = json.Marshal(map[string]any{"images": all}); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(c.list)
	})
	mux.HandleFunc("GET /v1/imagescount", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"count": %d}`, images)
	})
	mux.HandleFunc("GET /v1/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(c.image)
	})
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, `{"error":"not authenticated","code":16}`, http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	c.srv.StartTLS()
	c.caFile = filepath.Join(dir, "central-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.srv.Certificate().Raw})
	if err := os.WriteFile(c.caFile, pemBytes, 0o644); err != nil {
		return nil, err
	}
	c.endpoint = strings.TrimPrefix(c.srv.URL, "https://")
	return c, nil
}

// env is what image-mcp needs to reach the stand-in.
func (c *central) env() []string {
	return []string{"ROX_ENDPOINT=" + c.endpoint, "ROX_API_TOKEN=bench-token", "ROX_CA_CERT_FILE=" + c.caFile}
}

// get is the baseline: the same request with Go's TLS client, body read whole.
func (c *central) get(path string) (int, error) {
	req, _ := http.NewRequest("GET", c.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer bench-token")
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int
	buf := make([]byte, 64<<10)
	for {
		m, err := resp.Body.Read(buf)
		n += m
		if err != nil {
			break
		}
	}
	return n, nil
}
