package podman

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzReadNDJSON: any byte stream is summarised without a panic or an error from an
// in-memory reader, keeping at most the last lines of output.
func FuzzReadNDJSON(f *testing.F) {
	f.Add([]byte("{\"stream\":\"Step 1/2 : FROM busybox\\n\"}\n{\"stream\":\"abc\\n\"}\n"))
	f.Add([]byte("{\"images\":[\"sha256:1\"],\"id\":\"1\"}\n{\"error\":\"boom\",\"errorDetail\":{\"message\":\"boom\"}}\n"))
	f.Add([]byte("{\"status\":\"Pulling\",\"progress\":\"[==>  ]\"}\r\nnot json\n\n\n{\"aux\":{\"ID\":\"sha256:2\"}}"))
	f.Add([]byte("{\"manifestdigest\":\"sha256:3\"}{\"stream\":1}\n{\"stream\":\"\\u0000\\r\\n\"}"))
	f.Add(bytes.Repeat([]byte("{\"stream\":\"x\\n\"}\n"), 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		sum, err := readNDJSON(bytes.NewReader(data), func(i int, text string) {
			n++
			if i != n {
				t.Fatalf("line %d reported as %d", n, i)
			}
		})
		if err != nil {
			t.Fatalf("error from an in-memory stream: %v", err)
		}
		if sum.Lines != n || len(sum.Output) > keepOutputLines || len(sum.Output) > sum.Lines {
			t.Fatalf("lines %d, callbacks %d, kept %d", sum.Lines, n, len(sum.Output))
		}
		sum.finishBuild()
		if _, err := json.Marshal(sum); err != nil {
			t.Fatalf("summary does not encode: %v", err)
		}
	})
}
