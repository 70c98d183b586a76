//! The `polis` binary: parse the command line, run it, print diagnostics and a
//! summary, and pick the exit code (0 success, 1 problems in the site, 2 a
//! failure of polis itself or its options).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use polis::cli::{
    Cli, Command, build, check, deploy, diff, init, migrate, new, schema, serve, translations,
};
use polis::error::Error;

/// mimalloc rather than the system allocator: a build allocates millions of
/// small strings and nodes on two threads at once, and glibc's malloc spent a
/// sixth of the build in its own locks and bookkeeping (`perf`, 10,000 pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Check(args) => match check::run(&args) {
            Ok(outcome) => report_check(&outcome, &args),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Serve(args) => run_serve(&args),
        Command::Init(args) => run_init(&args),
        Command::New(args) => run_new(&args),
        Command::Schema(args) => run_schema(&args),
        Command::Translations(args) => run_translations(&args),
        Command::Diff(args) => run_diff(&args),
        Command::Deploy(args) => run_deploy(&args),
        Command::Migrate(args) => run_migrate(&args),
    }
}

fn run_translations(args: &translations::TranslationsArgs) -> ExitCode {
    let mut diags = polis::diag::Diagnostics::default();
    if let Some(translations::Action::Mark(mark)) = &args.action {
        return match translations::mark(mark, &mut diags) {
            Ok(marked) => {
                for m in marked {
                    if m.unchanged {
                        println!("{} was up to date already", m.file);
                    } else {
                        println!(
                            "marked {} as translated from {} ({})",
                            m.file, m.source, m.digest
                        );
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    match translations::run(args, &mut diags) {
        Ok(report) => {
            match args.format {
                translations::Format::Human => {
                    print!("{}", translations::human(&report, args.all))
                }
                translations::Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ),
            }
            if diags.error_count() > 0 {
                eprintln!(
                    "note: the site has {} error{}; `polis build` shows them",
                    diags.error_count(),
                    if diags.error_count() == 1 { "" } else { "s" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            for d in diags.sorted().iter().filter(|d| d.is_error()) {
                eprintln!("{d}");
            }
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_diff(args: &diff::DiffArgs) -> ExitCode {
    match diff::run(args) {
        Ok(d) => {
            print!("{}", diff::render(&d, args.format, args.all));
            if args.deny_warnings && !d.warnings.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_deploy(args: &deploy::DeployArgs) -> ExitCode {
    let mut diags = polis::diag::Diagnostics::default();
    match deploy::run(args, &mut diags) {
        Ok(report) => {
            if !args.quiet || report.dry_run {
                print!("{}", deploy::summary(&report));
            }
            if report.deletes_refused.is_empty() {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "error: {} objects would be deleted, more than --max-deletes {}; nothing was deleted (the uploads are done)",
                report.deletes_refused.len(),
                args.max_deletes
            );
            eprintln!(
                "  = help: check that `--output` is the whole site; if the deletions are meant, run again with `--max-deletes {}`",
                report.deletes_refused.len()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            for d in diags.sorted() {
                eprintln!("{d}");
            }
            eprintln!("error: {e}");
            ExitCode::from(if matches!(e, Error::Diagnostics) {
                1
            } else {
                2
            })
        }
    }
}

fn run_schema(args: &schema::SchemaArgs) -> ExitCode {
    let mut diags = polis::diag::Diagnostics::default();
    match schema::run(args, &mut diags) {
        Ok(written) => {
            for (_, path) in &written.schemas {
                println!("wrote {}", path.display());
            }
            // How an editor finds them: VS Code's settings for the TOML and
            // YAML extensions, by file pattern.
            let rel = |p: &std::path::Path| match p.strip_prefix(&written.root) {
                Ok(r) => format!("./{}", r.to_string_lossy().replace('\\', "/")),
                Err(_) => p.to_string_lossy().into_owned(),
            };
            println!(
                "\nfor VS Code (.vscode/settings.json; Even Better TOML and YAML extensions):"
            );
            let toml: Vec<String> = written
                .schemas
                .iter()
                .map(|(folder, p)| format!("    \"content/{folder}/**/*.md\": \"{}\"", rel(p)))
                .collect();
            println!(
                "  \"evenBetterToml.schema.associations\": {{\n{}\n  }},",
                toml.join(",\n")
            );
            let yaml: Vec<String> = written
                .schemas
                .iter()
                .map(|(folder, p)| format!("    \"{}\": \"content/{folder}/**/*.md\"", rel(p)))
                .collect();
            println!("  \"yaml.schemas\": {{\n{}\n  }}", yaml.join(",\n"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            for d in diags.sorted() {
                eprintln!("{d}");
            }
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_init(args: &init::InitArgs) -> ExitCode {
    match init::run(args) {
        Ok(site) => {
            let root = site.root.display();
            println!("started a site in `{root}`:");
            for f in &site.files {
                println!("  {f}");
            }
            println!(
                "  themes/{}/ ({} files)",
                polis::scaffold::THEME_NAME,
                site.theme_files
            );
            println!("run `polis serve --root {root}` to see it, and edit `content/`");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_migrate(args: &migrate::MigrateArgs) -> ExitCode {
    let report = match migrate::run(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let will = if args.dry_run { "would " } else { "" };
    let from = match report.from {
        polis::migrate::Generator::Zola => "Zola",
        polis::migrate::Generator::Hugo => "Hugo",
    };
    println!("{from} site: {will}write site.toml from {}", report.config);
    if args.dry_run {
        for line in report.site_toml.lines() {
            println!("  | {line}");
        }
    }
    for (file, n) in &report.rewritten {
        println!(
            "{file}: {will}rewrite {n} shortcode call{} as fenced blocks",
            if *n == 1 { "" } else { "s" }
        );
    }
    if report.moved_static {
        println!("{will}rename static/ to assets/");
    }
    for at in &report.left {
        println!(
            "{at}: a shortcode inside a line of text, left as it is (the build says what to write)"
        );
    }
    for note in &report.notes {
        println!("to do: {note}");
    }
    if !args.dry_run {
        println!("then run `polis check`: every remaining difference is a message at its line");
    }
    ExitCode::SUCCESS
}

fn run_new(args: &new::NewArgs) -> ExitCode {
    let mut diags = polis::diag::Diagnostics::default();
    match new::run(args, &mut diags) {
        Ok(created) => {
            println!("wrote {}:", created.folder);
            for f in &created.files {
                println!("  {f}");
            }
            println!("fill in the fields and add the photos, then run `polis serve` to see it");
            ExitCode::SUCCESS
        }
        Err(e) => {
            for d in diags.sorted() {
                eprintln!("{d}");
            }
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_serve(args: &serve::ServeArgs) -> ExitCode {
    let (server, first) = match serve::start(args) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut err = std::io::stderr().lock();
    for d in first.diagnostics.sorted() {
        let _ = writeln!(err, "{d}");
    }
    if first.diagnostics.has_errors() {
        let _ = writeln!(
            err,
            "the site has errors: fix them and it appears (the browser shows them too)"
        );
    } else if !args.quiet {
        let _ = writeln!(
            err,
            "built {} pages, {} files in memory in {:.2?}",
            first.pages, first.files, first.elapsed
        );
    }
    drop(err);
    let url = server.url();
    println!("serving the site at {url} (Ctrl-C stops)");
    if args.open
        && let Err(e) = open::that_detached(&url)
    {
        eprintln!("warning: could not open a browser: {e}");
    }
    if let Err(e) = polis::serve::wait_for_stop_signal() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    eprintln!("stopping");
    server.stop();
    ExitCode::SUCCESS
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
                let i = &summary.images;
                if i.variants > 0 {
                    let _ = writeln!(
                        err,
                        "images: {} photos, {} files ({} made, {} from the cache), {} probed, {} unused cache files removed",
                        i.sources,
                        i.variants,
                        i.encoded,
                        i.variants.saturating_sub(i.encoded),
                        i.probed,
                        i.pruned
                    );
                }
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

fn report_check(outcome: &check::CheckOutcome, args: &check::CheckArgs) -> ExitCode {
    use polis::check::report;

    let diags = outcome.diagnostics.sorted();
    let (errors, warnings) = (
        outcome.diagnostics.error_count(),
        outcome.diagnostics.warning_count(),
    );
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let summary = report::step_summary(&diags);
        if let Err(e) = polis::fs::append(std::path::Path::new(&path), summary.as_bytes()) {
            // The message names the operation and the path.
            eprintln!("warning: could not write the step summary: {e}");
        }
    }
    let failed = match &outcome.result {
        Ok(_) => errors > 0 || (args.deny_warnings && warnings > 0),
        Err(polis::error::Error::Diagnostics) => true,
        Err(e) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args.format {
        check::Format::Json => print!("{}", report::json(&diags)),
        check::Format::Github => {
            print!("{}", report::github(&diags));
            println!("{}", check_summary(outcome, errors, warnings));
        }
        check::Format::Human => {
            let root = outcome.root.clone();
            // Only for showing the lines of a diagnostic: without the file, none.
            let source = move |rel: &str| polis::fs::read_to_string(&root.join(rel)).ok();
            let mut err = anstream::stderr().lock();
            // anstream drops the colours unless stderr is a terminal (and honours
            // NO_COLOR and CLICOLOR_FORCE).
            let styled = true;
            let _ = write!(err, "{}", report::human(&diags, &source, styled));
            let _ = writeln!(err, "{}", check_summary(outcome, errors, warnings));
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check_summary(outcome: &check::CheckOutcome, errors: usize, warnings: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let pages = match &outcome.result {
        Ok(summary) => {
            let per_lang: Vec<String> = summary
                .pages
                .iter()
                .map(|(l, n)| format!("{n} {l}"))
                .collect();
            format!(
                "checked {} pages ({})",
                summary.pages.iter().map(|(_, n)| n).sum::<usize>(),
                per_lang.join(", ")
            )
        }
        Err(_) => "checked the site".to_string(),
    };
    format!(
        "{pages}: {errors} error{}, {warnings} warning{} in {:.2?}",
        s(errors),
        s(warnings),
        outcome.elapsed
    )
}
