//! The `polis` binary: parse the command line, run it, print diagnostics and a
//! summary, and pick the exit code (0 success, 1 problems in the site, 2 a
//! failure of polis itself or its options).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use polis::cli::{Cli, Command, build};
use polis::error::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => match build::run(&args) {
            Ok(outcome) => report_build(&outcome, args.quiet),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn report_build(outcome: &build::BuildOutcome, quiet: bool) -> ExitCode {
    let mut err = std::io::stderr().lock();
    for d in outcome.diagnostics.sorted() {
        let _ = writeln!(err, "{d}");
    }
    let (errors, warnings) = (
        outcome.diagnostics.error_count(),
        outcome.diagnostics.warning_count(),
    );
    match &outcome.result {
        Ok(summary) => {
            if !quiet {
                let pages: Vec<String> = summary
                    .pages
                    .iter()
                    .map(|(l, n)| format!("{n} {l}"))
                    .collect();
                let _ = writeln!(
                    err,
                    "built {} pages ({}), {} files in `{}`, {} warning{} in {:.2?}",
                    summary.pages.iter().map(|(_, n)| n).sum::<usize>(),
                    pages.join(", "),
                    summary.files,
                    outcome.output.display(),
                    warnings,
                    if warnings == 1 { "" } else { "s" },
                    outcome.elapsed,
                );
            }
            ExitCode::SUCCESS
        }
        Err(Error::Diagnostics) => {
            let _ = writeln!(
                err,
                "build failed: {errors} error{}, {warnings} warning{}; `{}` was left as it was",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
                outcome.output.display()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(2)
        }
    }
}
