package bench

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/wageubn/wageubn/gpu"
)

// Machine describes where results were measured; it is the "machine"
// object of wgbench's JSON.
type Machine struct {
	CPU          string `json:"cpu"`   // model name, "unknown" where it cannot be read
	Cores        int    `json:"cores"` // logical CPUs (runtime.NumCPU)
	GOMAXPROCS   int    `json:"gomaxprocs"`
	GOOS         string `json:"goos"`
	GOARCH       string `json:"goarch"`
	GoVersion    string `json:"go_version"`
	GOEXPERIMENT string `json:"goexperiment,omitempty"` // e.g. "simd": selects internal/i8gemm's SIMD path
	// Adapter is the WebGPU adapter, when a WebGPU device was opened.
	Adapter *Adapter `json:"adapter,omitempty"`
}

// Adapter describes a WebGPU adapter.
type Adapter struct {
	Name   string `json:"name"`
	Type   string `json:"type"` // "cpu", "discrete-gpu", "integrated-gpu", "unknown"
	Driver string `json:"driver"`
}

// Host returns the Machine of this process, with the adapter of the first
// WebGPU device among devs.
func Host(devs ...*gpu.Device) Machine {
	m := Machine{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		GoVersion:  runtime.Version(),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				m.GOEXPERIMENT = s.Value
			}
		}
	}
	for _, d := range devs {
		if d.Backend() == gpu.WebGPU {
			i := d.Info()
			m.Adapter = &Adapter{Name: i.Adapter, Type: i.AdapterType.String(), Driver: i.Driver}
			break
		}
	}
	return m
}

// cpuModel returns the "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
