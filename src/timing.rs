//! Stage timings on stderr when `POLIS_TIMINGS` is set: for profiling polis,
//! never part of its output.

/// Prints the time since the last lap (or since it was made) per stage.
pub(crate) struct Timer(Option<std::time::Instant>);

impl Timer {
    pub(crate) fn new() -> Self {
        Timer(std::env::var_os("POLIS_TIMINGS").map(|_| std::time::Instant::now()))
    }

    pub(crate) fn lap(&mut self, stage: &str) {
        if let Some(start) = self.0 {
            eprintln!("timing: {stage} {:.1?}", start.elapsed());
            self.0 = Some(std::time::Instant::now());
        }
    }
}
