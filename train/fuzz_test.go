package train_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wageubn/wageubn/train"
)

// FuzzLatestMeta writes arbitrary bytes as the metadata of the newest
// checkpoint (5) next to a good one (1): Latest must never panic and must
// return checkpoint 1, since no metadata it did not write can carry the
// tensor file's SHA-256 and every other field right by chance.
func FuzzLatestMeta(f *testing.F) {
	f.Add([]byte(`{"version": 1, "step": 5, "tensors": "ckpt-5.safetensors"}`))
	f.Add([]byte(`{"version": 1, "step": 5, "tensors": "ckpt-5.safetensors", "tensors_size": -1, "tensors_sha256": ""}`))
	f.Add([]byte(`{"version": 1e400}`))
	f.Add([]byte(`{"step": 5, "epoch": -3, "history": [{"epoch": "x"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, meta []byte) {
		dir := t.TempDir()
		c := train.Checkpoint{Dir: dir, Logf: func(string, ...any) {}}
		save(t, c, 1)
		if err := os.WriteFile(filepath.Join(dir, "ckpt-5.safetensors"), []byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      "), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ckpt-5.json"), meta, 0o644); err != nil {
			t.Fatal(err)
		}
		m, d, err := c.Latest()
		if err != nil || m.Step != 1 || stepOf(t, d) != 1 {
			t.Errorf("Latest = %d, %v; want the good checkpoint 1", m.Step, err)
		}
	})
}
