//! `docsfy download`: a site's archive saved as `.tar.gz`, or extracted into a directory whose
//! old contents it replaces only once the new ones are all there.

use std::path::{Path, PathBuf};

use futures_util::StreamExt as _;
use tokio::io::AsyncWriteExt as _;

use super::args::Selector;
use super::error::{CliError, CliResult};
use super::http::{Api, owner_query, segment};
use super::projects::resolve;

/// What to download and where.
pub struct Wanted<'a> {
    /// Extract into this directory instead of saving the archive.
    pub output: Option<&'a Path>,
    /// Put the files directly in `output`.
    pub flatten: bool,
    /// A renderer of the server's `render.extra` instead of the site.
    pub format: Option<&'a str>,
}

pub async fn download(api: &Api, selector: &Selector, asked: Wanted<'_>) -> CliResult {
    let Wanted {
        output,
        flatten,
        format,
    } = asked;
    let format = format.filter(|f| !f.is_empty() && *f != "site");
    let wanted = resolve(api, selector).await?;
    if wanted.partial() {
        return Err(CliError::message(
            "Specify --branch, --provider, and --model together to download a specific variant, or omit all three to download the default variant.",
        ));
    }
    if flatten && output.is_none() {
        return Err(CliError::message("--flatten requires --output"));
    }
    if let Some(dir) = output {
        refuse_dangerous(dir)?;
    }
    let mut owner = owner_query(wanted.owner.as_deref());
    if let Some(format) = format {
        let separator = if owner.is_empty() { '?' } else { '&' };
        owner.push_str(&format!("{separator}format={}", segment(format)));
    }
    let (path, nested) = match (wanted.variant_path(), wanted.variant()) {
        (Some(path), Some((branch, provider, model))) => (
            format!("{path}/download{owner}"),
            format!(
                "{}-{}-{provider}-{}",
                wanted.name,
                crate::domain::encode_branch(branch),
                model.replace('/', "_")
            ),
        ),
        _ => (
            format!("/api/projects/{}/download{owner}", segment(&wanted.name)),
            wanted.name.clone(),
        ),
    };
    let response = api.download(&path).await?;
    let Some(dir) = output else {
        let target = std::env::current_dir()
            .map_err(|e| CliError::message(format!("Error: no working directory: {e}")))?
            .join(format!("{nested}-{}.tar.gz", format.unwrap_or("docs")));
        let partial = tempfile::Builder::new()
            .suffix(".tmp")
            .tempfile_in(target.parent().unwrap_or(Path::new(".")))
            .map_err(io_error)?;
        save(response, partial.path()).await?;
        partial.persist(&target).map_err(|e| io_error(e.error))?;
        println!("Downloaded to {}", target.display());
        return Ok(());
    };
    let archive = tempfile::Builder::new()
        .suffix(".tar.gz")
        .tempfile()
        .map_err(io_error)?;
    save(response, archive.path()).await?;
    let extracted = tempfile::Builder::new()
        .prefix("docsfy-download-")
        .tempdir()
        .map_err(io_error)?;
    extract(archive.path(), extracted.path())?;
    let mut source = extracted.path().to_path_buf();
    let mut flattened = false;
    if flatten && let Some(inner) = single_directory(extracted.path(), &nested) {
        source = inner;
        flattened = true;
    }
    replace_contents(dir, &source)?;
    match (flatten, flattened) {
        (true, true) => println!("Extracted and flattened to {}", dir.display()),
        (true, false) => println!(
            "Extracted to {} (flatten skipped: no matching subdirectory found)",
            dir.display()
        ),
        _ => println!("Extracted to {}", dir.display()),
    }
    Ok(())
}

fn io_error(error: std::io::Error) -> CliError {
    CliError::message(format!("Error: {error}"))
}

/// Streams the body into `path`.
async fn save(response: reqwest::Response, path: &Path) -> CliResult {
    let mut file = tokio::fs::File::create(path).await.map_err(io_error)?;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| CliError::message(format!("Error: download failed: {e}")))?;
        file.write_all(&chunk).await.map_err(io_error)?;
    }
    file.flush().await.map_err(io_error)
}

/// Unpacks regular files and directories only; entries that would land outside `into`
/// (absolute paths, `..`), links and devices are refused.
fn extract(archive: &Path, into: &Path) -> CliResult {
    let file = std::fs::File::open(archive).map_err(io_error)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    tar.set_preserve_permissions(false);
    let broken =
        |e: std::io::Error| CliError::message(format!("Error: the archive is broken: {e}"));
    for entry in tar.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            continue;
        }
        let path = entry.path().map_err(broken)?.into_owned();
        let inside = path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if !inside {
            return Err(CliError::message(format!(
                "Error: the archive names a path outside its folder: {}",
                path.display()
            )));
        }
        entry.unpack_in(into).map_err(broken)?;
    }
    Ok(())
}

/// The one folder the archive holds (`nested`, else its only visible subdirectory).
fn single_directory(root: &Path, nested: &str) -> Option<PathBuf> {
    let named = root.join(nested);
    if named.is_dir() {
        return Some(named);
    }
    let dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    (dirs.len() == 1).then(|| dirs[0].clone())
}

/// `dir`'s contents become `source`'s. The old entries are set aside first and put back if
/// anything fails, so a failed download or extraction never leaves `dir` half-written.
fn replace_contents(dir: &Path, source: &Path) -> CliResult {
    std::fs::create_dir_all(dir).map_err(io_error)?;
    let parent = dir
        .canonicalize()
        .map_err(io_error)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let aside = tempfile::Builder::new()
        .prefix(".docsfy-aside-")
        .tempdir_in(parent)
        .map_err(io_error)?;
    let entries = |path: &Path| -> std::io::Result<Vec<std::fs::DirEntry>> {
        std::fs::read_dir(path)?.collect()
    };
    for entry in entries(dir).map_err(io_error)? {
        std::fs::rename(entry.path(), aside.path().join(entry.file_name())).map_err(io_error)?;
    }
    let moved = entries(source).and_then(|new| {
        new.iter()
            .try_for_each(|e| std::fs::rename(e.path(), dir.join(e.file_name())))
    });
    if let Err(error) = moved {
        for entry in entries(dir).unwrap_or_default() {
            let _ = std::fs::remove_dir_all(entry.path())
                .or_else(|_| std::fs::remove_file(entry.path()));
        }
        for entry in entries(aside.path()).unwrap_or_default() {
            let _ = std::fs::rename(entry.path(), dir.join(entry.file_name()));
        }
        return Err(io_error(error));
    }
    Ok(())
}

/// Refuses to clear a directory whose loss would hurt: a link, the root, system
/// directories, the home directory, the working directory or one holding it.
fn refuse_dangerous(dir: &Path) -> CliResult {
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(CliError::message(format!(
            "Refusing to clear symlink path: {}",
            dir.display()
        )));
    }
    let absolute = std::path::absolute(dir).map_err(io_error)?;
    let resolved = absolute.canonicalize().unwrap_or(absolute);
    let refused = || {
        CliError::message(format!(
            "Refusing to clear dangerous path: {}",
            resolved.display()
        ))
    };
    let exact = ["/", "/home", "/Users", "/opt", "/tmp", "/var/tmp"];
    if exact.iter().any(|p| resolved == Path::new(p)) {
        return Err(refused());
    }
    if std::env::var_os("HOME").is_some_and(|home| resolved == Path::new(&home)) {
        return Err(refused());
    }
    if std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(&resolved)) {
        return Err(refused());
    }
    let system = [
        "/etc", "/usr", "/boot", "/dev", "/proc", "/sys", "/run", "/var", "/System", "/Library",
        "/bin", "/sbin", "/lib",
    ];
    let under_var_tmp = resolved.starts_with("/var/tmp") && resolved != Path::new("/var/tmp");
    if !under_var_tmp && system.iter().any(|p| resolved.starts_with(p)) {
        return Err(refused());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::refuse_dangerous;
    use std::path::Path;

    #[test]
    fn system_home_and_working_directories_are_never_cleared() {
        for dangerous in [
            "/",
            "/etc/nginx",
            "/usr",
            "/var/log",
            "/tmp",
            "/proc",
            ".",
            "..",
        ] {
            assert!(
                refuse_dangerous(Path::new(dangerous)).is_err(),
                "{dangerous}"
            );
        }
        let scratch = tempfile::tempdir().expect("tmp");
        assert!(refuse_dangerous(&scratch.path().join("site")).is_ok());
        let link = scratch.path().join("link");
        std::os::unix::fs::symlink("/etc", &link).expect("link");
        assert!(refuse_dangerous(&link).is_err());
    }
}
