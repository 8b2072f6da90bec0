// Package threshold will hold output hooks, the threshold calibrators (max,
// 3sd, kl, kl_j), network initialisation and activation/weight analysis.
//
// Status: not implemented yet (issue "Threshold calibration, hooks, ...").
package threshold
