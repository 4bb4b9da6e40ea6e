//! nginx as the reference: one worker, `/health` answering docsfy's JSON, and a directory of
//! files at the path docsfy serves them.

use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const NGINX: &str = "/usr/sbin/nginx";

/// A running nginx, stopped when dropped.
pub struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts nginx in `dir` on `port`, serving `site` at `location` (which ends with `/`).
pub fn start(dir: &Path, port: u16, location: &str, site: &Path) -> anyhow::Result<Nginx> {
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let config = format!(
        r#"worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  types {{ text/html html; }}
  server {{
    listen 127.0.0.1:{port};
    location = /health {{ default_type application/json; return 200 '{{"status":"ok"}}'; }}
    location {location} {{ alias {site}/; }}
  }}
}}
"#,
        prefix = prefix.display(),
        site = site.display(),
    );
    let path = prefix.join("nginx.conf");
    std::fs::write(&path, config)?;
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    Ok(Nginx(child))
}
