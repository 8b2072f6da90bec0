//go:build unix

package train_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/wageubn/wageubn/train"
)

// TestWithInterrupt sends SIGINT and SIGTERM to this process: each cancels
// the context WithInterrupt returned (instead of killing the process), and
// the run stops with ErrInterrupted.
func TestWithInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, stop := train.WithInterrupt(context.Background())
			defer stop()
			m := &fakeModel{onStep: func(s train.StepInfo) error {
				if s.Step == 2 {
					if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
						return err
					}
					select { // delivery is asynchronous; wait for it
					case <-ctx.Done():
					case <-time.After(10 * time.Second):
						return errors.New("signal not delivered")
					}
				}
				return nil
			}}
			res, err := train.Run(ctx, tinyConfig(t.TempDir()), m, tinySet("train", 10), tinySet("test", 4))
			if !errors.Is(err, train.ErrInterrupted) {
				t.Fatalf("Run error %v, want ErrInterrupted", err)
			}
			if res.Steps != 3 {
				t.Errorf("stopped after %d steps, want 3", res.Steps)
			}
		})
	}
}
