package train

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// WithInterrupt does return a copy of ctx that is cancelled when the process
// receives SIGINT (Ctrl-C) or SIGTERM, and a stop function that releases the
// signal handlers (after it, a signal has its default effect again). It is
// signal.NotifyContext with those two signals.
//
// Run checks its context between steps: on cancellation it finishes the step
// in flight, writes a checkpoint of the position reached and returns an error
// wrapping ErrInterrupted, so that running again resumes there. A second
// Ctrl-C after stop (or before WithInterrupt) kills the process; the previous
// checkpoint stays intact because every checkpoint file is written
// atomically.
//
//	ctx, stop := train.WithInterrupt(context.Background())
//	defer stop()
//	res, err := train.Run(ctx, cfg, model, trainSet, testSet)
//	if errors.Is(err, train.ErrInterrupted) { ... exit status 130 ... }
func WithInterrupt(ctx context.Context) (context.Context, func()) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
