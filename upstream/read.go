package upstream

import "io"

// StreamReader reads an answer of the ndjson response kind: a progress stream whose
// lines are the upstream's own (a pull, a push, a build).
type StreamReader interface {
	// ReadStream reads r to its end, calling line with each line of output (numbered
	// from 1) for progress, and says what the stream came to, also when it returns an
	// error: one of r's, or a line that broke a bound (too long, nested too deep).
	ReadStream(r io.Reader, line func(n int, text string)) (Stream, error)
}

// Stream is what a progress stream came to: the call's result, encoded as JSON.
type Stream interface {
	// Failure is the failure the stream reported after its 200; "" for none.
	Failure() string
	// LastOutput is the last lines of output, which a failure's message quotes.
	LastOutput() []string
}

// FileDescriber describes a file written from an answer of the file response kind.
type FileDescriber interface {
	// DescribeFile reads the file as written (never by its name, which may have been
	// swapped meanwhile) and gives what it holds as members of the result, beside
	// "path" and "bytes".
	DescribeFile(written io.Reader) map[string]any
}
