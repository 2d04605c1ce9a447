/** The benchmark harness: mock upstream, load generators, peer runner and report writer (see benchmarks/run.sh). */
package io.kimi.benchmarks;
