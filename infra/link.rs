//! The build script of every Lambda function, and of this crate so that the cold-start floor is
//! built as they are: on Linux, executables are linked non-PIE. A position-independent
//! executable has every absolute pointer in its constant data (vtables, tables of strings, the
//! SDK's tracing call sites: ~27,000 in `meta`) patched by the dynamic loader at each cold
//! start; linked at a fixed address, the linker resolves them once. What that gives up, and
//! why, is decision 0005.

fn main() {
    // Nothing in the package changes what this prints (a changed script reruns regardless).
    println!("cargo::rerun-if-env-changed=CARGO_CFG_TARGET_ENV");
    let var = |name| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
