// Package rowjson writes a row as blogd's answers hold it. The store keeps
// embedded rows already written (store.KeptRow) and the api writes the
// others; both write them here, so that a row reads the same whichever
// wrote it.
package rowjson

import "github.com/segmentio/encoding/json"

// Append appends row's JSON object to b, as encoding/json writes it with
// HTML left unescaped, as the api's encoder does.
func Append(b []byte, row any) ([]byte, error) {
	out, err := json.Append(b, row, 0)
	if err != nil {
		return b, err
	}
	return out, nil
}
