package gpu

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// gpuPerTest holds the WebGPU device each running test has opened, so that
// a test calling devices inside its loops opens one device, not one per
// case: NVIDIA's driver on an H100 refused a new device in a test that had
// opened one per case (about a hundred alive), which lavapipe never did.
var gpuPerTest sync.Map // testing.TB → *Device

// tryGPU is the one place tests open the WebGPU device. It returns nil where
// no adapter exists, and fails the test instead when WAGEUBN_REQUIRE_GPU=1
// (CI with lavapipe installed sets it) or when opening fails otherwise. A
// test gets the same device from every call; it is closed when the test
// ends.
func tryGPU(t testing.TB) *Device {
	t.Helper()
	if d, ok := gpuPerTest.Load(t); ok {
		return d.(*Device)
	}
	d, err := Open(Options{Backend: WebGPU})
	if errors.Is(err, ErrNoAdapter) && os.Getenv("WAGEUBN_REQUIRE_GPU") != "1" {
		return nil
	}
	if err != nil {
		t.Fatalf("opening WebGPU (WAGEUBN_REQUIRE_GPU=%q): %v", os.Getenv("WAGEUBN_REQUIRE_GPU"), err)
	}
	gpuPerTest.Store(t, d)
	t.Cleanup(func() {
		gpuPerTest.Delete(t)
		d.Close()
	})
	return d
}

// openGPU opens the WebGPU device for a test that needs it, skipping the
// test where no adapter exists (see tryGPU).
func openGPU(t testing.TB) *Device {
	t.Helper()
	d := tryGPU(t)
	if d == nil {
		t.Skip("no WebGPU adapter (set WAGEUBN_REQUIRE_GPU=1 to fail instead)")
	}
	return d
}

// openCPUDevice opens the CPU backend for a test.
func openCPUDevice(t testing.TB) *Device {
	t.Helper()
	d, err := Open(Options{Backend: CPU})
	if err != nil {
		t.Fatalf("opening CPU: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// devices returns the CPU device and, where an adapter exists, the WebGPU
// one, for tests that run on every backend.
func devices(t *testing.T) []*Device {
	t.Helper()
	ds := []*Device{openCPUDevice(t)}
	if d := tryGPU(t); d != nil {
		ds = append(ds, d)
	}
	return ds
}
