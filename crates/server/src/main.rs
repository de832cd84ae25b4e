//! The `blankett-server` command: `serve` the receiver, `check` definition files, `backup`
//! the database, apply `retention`, or check another receiver with the `conformance` kit.

use std::process::ExitCode;

use blankett_server::config::{Command, USAGE, parse_args};
use blankett_server::{check, conformance};

/// The usage text, with the conformance kit among the commands.
fn usage() -> String {
    let (line, note) = (conformance::USAGE_LINE, conformance::USAGE_NOTE);
    let marker = "  blankett-server --help\n";
    if USAGE.contains(marker) {
        format!(
            "{}\n{note}",
            USAGE.replacen(marker, &format!("{line}{marker}"), 1)
        )
    } else {
        format!("{USAGE}\n{line}{note}")
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "conformance") {
        return conformance::main(args.into_iter().skip(1));
    }
    let command = match parse_args(args, |name| std::env::var(name).ok()) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("blankett-server: {e}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Command::Check {
            files,
            lang,
            connect_origins,
        } => {
            let code = check::run_for(
                &files,
                lang,
                connect_origins.as_deref(),
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            ExitCode::from(u8::try_from(code).unwrap_or(2))
        }
        Command::ImportOep {
            file,
            id,
            organisation,
            lang,
        } => {
            let code = blankett_server::import::run(
                &file,
                &blankett_oep::import::Options { id, organisation },
                lang,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            ExitCode::from(u8::try_from(code).unwrap_or(2))
        }
        Command::Backup { db, dest } => backup(&db, &dest),
        Command::Retention { db, forms, options } => retention(&db, &forms, options),
        Command::Serve(config) => serve(*config),
    }
}

fn retention(
    db: &std::path::Path,
    forms: &std::path::Path,
    options: blankett_server::retention::Options,
) -> ExitCode {
    let database = blankett_server::store::Database::from_arg(db);
    if matches!(&database, blankett_server::store::Database::Sqlite(path) if !path.is_file()) {
        eprintln!(
            "blankett-server retention: there is no database at {} (give it with --db or BLANKETT_DB)",
            db.display()
        );
        return ExitCode::FAILURE;
    }
    let store_options = blankett_server::store::StoreOptions::default();
    let store = match blankett_server::store::Store::connect(&database, store_options) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("blankett-server retention: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (forms, skipped) = blankett_server::forms::Forms::load_dir(forms);
    for s in &skipped {
        eprintln!(
            "skipping {} (its cases are kept): {}",
            s.path.display(),
            s.lines.join("; ")
        );
    }
    let now = time::OffsetDateTime::now_utc();
    match blankett_server::retention::run(&store, &forms, now, options) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blankett-server retention: {e}");
            ExitCode::FAILURE
        }
    }
}

fn backup(db: &std::path::Path, dest: &std::path::Path) -> ExitCode {
    let started = std::time::Instant::now();
    match blankett_server::backup::backup(db, dest) {
        Ok(summary) => {
            println!(
                "backed up {} submission(s) from {} to {} ({} bytes, schema version {}) in {} ms",
                summary.submissions,
                db.display(),
                dest.display(),
                summary.bytes,
                summary.schema_version,
                started.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blankett-server backup: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: blankett_server::Config) -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("blankett-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(blankett_server::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blankett-server: {e}");
            ExitCode::FAILURE
        }
    }
}
