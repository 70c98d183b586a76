//! The example theme is compiled into polis for `polis init`
//! (`include_dir!` in `src/scaffold.rs`); a change to any of its files, or a
//! file added to it, has to compile polis again.

fn main() {
    println!("cargo::rerun-if-changed=themes/oslopolitan");
}
