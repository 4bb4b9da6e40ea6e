//! The client's commands and flags, as docsfy 1.9's CLI names them (its `--help` is the
//! reference), plus ours: `--repo-path`, `--abort-on-interrupt`, `rotate-key`, `whoami`,
//! `completions`.

use clap::{Args, Subcommand};

/// How to reach the server. Given before the command (`docsfy -s prod list`), as in docsfy:
/// `-p` is the password here and the provider after `status`, `delete`, `abort`, `download`.
#[derive(Args, Debug, Clone, Default)]
pub struct Connection {
    /// Server profile name from config (~/.config/docsfy/config.toml)
    #[arg(short = 's', long = "server", value_name = "PROFILE")]
    pub server: Option<String>,
    /// Server host (overrides config)
    #[arg(long)]
    pub host: Option<String>,
    /// Server port (default 8000)
    #[arg(long)]
    pub port: Option<u16>,
    /// Username
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Password/API key
    #[arg(short = 'p', long)]
    pub password: Option<String>,
}

/// Which variant of a project, by name (or generation ID) and selectors.
#[derive(Args, Debug, Clone)]
pub struct Selector {
    /// Project name or generation ID (UUID)
    pub name: String,
    /// Branch of the variant
    #[arg(short = 'b', long)]
    pub branch: Option<String>,
    /// Provider of the variant
    #[arg(short = 'p', long)]
    pub provider: Option<String>,
    /// Model of the variant
    #[arg(short = 'm', long)]
    pub model: Option<String>,
    /// Project owner (for admin disambiguation)
    #[arg(long)]
    pub owner: Option<String>,
}

/// The client commands.
#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Generate documentation for a Git repository.
    ///
    /// Starts a generation on the server and prints the project, branch, status and
    /// generation ID. The same commit again is up to date at once; a new commit updates the
    /// pages it touches; --force regenerates everything. With --watch, follows it over the
    /// live socket (a progress bar on a terminal: pages done of planned, the stage, elapsed
    /// time; one line per change otherwise) until it is ready (exit 0) or fails or is
    /// aborted (exit 1, with the server's message). Ctrl-C stops watching, not the
    /// generation, unless --abort-on-interrupt is given.
    ///
    /// Example: `docsfy generate https://github.com/org/repo -b main --provider claude -m opus -w`
    Generate(GenerateArgs),
    /// List all projects.
    ///
    /// Every variant you may see (admins: all; others: their own and those shared with
    /// them), most recently updated first, as a table: NAME, BRANCH, PROVIDER, MODEL,
    /// STATUS, OWNER, PAGES, GEN ID. --json prints the API's Project objects instead.
    ///
    /// Example: `docsfy list --status ready --provider claude --json | jq '.[].name'`
    List {
        /// Filter by status (ready, generating, error, aborted)
        #[arg(long)]
        status: Option<String>,
        /// Filter by AI provider
        #[arg(long)]
        provider: Option<String>,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Show status of a project and its variants.
    ///
    /// With --branch, --provider and --model together, one variant; otherwise every
    /// variant of the project, filtered by the selectors given. NAME may be a generation ID.
    /// Shown per variant: generation ID, status, owner, pages, last generated, commit,
    /// stage while generating, the error when there is one, the repository.
    ///
    /// Example: `docsfy status my-repo -b main -p claude -m opus --json`
    Status {
        #[command(flatten)]
        selector: Selector,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a project or a specific variant.
    ///
    /// A variant needs --branch, --provider and --model; --all deletes every variant of the
    /// project. Asks for confirmation unless --yes.
    Delete {
        #[command(flatten)]
        selector: Selector,
        /// Delete all variants of the project
        #[arg(long)]
        all: bool,
        /// Skip confirmation prompt
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Abort an active documentation generation.
    ///
    /// By project name (the one active generation of it), or a variant with --branch,
    /// --provider and --model together.
    Abort {
        #[command(flatten)]
        selector: Selector,
    },
    /// Download generated documentation as tar.gz or extract to a directory.
    ///
    /// Without --output, saves `NAME-docs.tar.gz` (or `NAME-BRANCH-PROVIDER-MODEL-docs.tar.gz`
    /// for one variant) in the current directory. With --output DIR, extracts the site and
    /// replaces DIR's contents once the download and extraction succeeded (a failure leaves
    /// DIR as it was); system directories, your home and the working directory are refused.
    /// --flatten puts the site's files directly in DIR. --format NAME downloads the output of
    /// a renderer the server runs after the site (`render.extra`, such as `mdbook`) instead.
    ///
    /// Example: `docsfy download my-repo -b main -p claude -m opus -o ./site --flatten`
    Download {
        #[command(flatten)]
        selector: Selector,
        /// Output directory to extract to (replaces existing contents after a successful
        /// download and extract; default: save tar.gz to current dir)
        #[arg(short = 'o', long)]
        output: Option<std::path::PathBuf>,
        /// Flatten extracted directory structure into output dir
        #[arg(long)]
        flatten: bool,
        /// Download another renderer's output, such as `mdbook` (default: the site)
        #[arg(short = 'f', long)]
        format: Option<String>,
    },
    /// List available AI providers and available models.
    ///
    /// The server's providers (bundled and third-party plugins), its default provider and
    /// model, and the models of each provider that have ready documentation.
    Models {
        /// Filter by provider
        #[arg(short = 'P', long)]
        provider: Option<String>,
        /// Output as JSON
        #[arg(short = 'j', long)]
        json: bool,
    },
    /// Check server health.
    ///
    /// Prints the server's URL and its health status; exits 1 when it cannot be reached.
    Health,
    /// Show who the server takes you for (username and role).
    Whoami {
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Rotate your own API key; the new one is shown once.
    RotateKey {
        /// Custom API key (generated if omitted)
        #[arg(long)]
        new_key: Option<String>,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Manage docsfy CLI configuration (server profiles).
    ///
    /// Profiles live in ~/.config/docsfy/config.toml (mode 0600), in docsfy's format:
    /// `[servers.NAME]` with url, username, password (the API key), and `[default]
    /// server = "NAME"`. Connection flags win over the profile named with -s, which wins
    /// over the default profile.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Admin commands.
    ///
    /// Users (create, list, delete, rotate a key) and project access grants. Needs an admin
    /// key (ADMIN_KEY, or a user with role admin).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// For example: `docsfy completions bash > ~/.local/share/bash-completion/completions/docsfy`.
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// `docsfy generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Git repository URL
    #[arg(required_unless_present = "repo_path")]
    pub repo_url: Option<String>,
    /// A repository on the server's own disk instead of a URL (admins only)
    #[arg(long, conflicts_with = "repo_url", value_name = "PATH")]
    pub repo_path: Option<String>,
    /// Git branch
    #[arg(short = 'b', long, default_value = "main")]
    pub branch: String,
    /// AI provider (claude, gemini, cursor, or any loaded plugin)
    #[arg(long)]
    pub provider: Option<String>,
    /// AI model name
    #[arg(short = 'm', long)]
    pub model: Option<String>,
    /// Force full regeneration
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Watch generation progress via WebSocket
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// With --watch: abort the generation on Ctrl-C instead of only stopping to watch
    #[arg(long, requires = "watch")]
    pub abort_on_interrupt: bool,
}

/// `docsfy config ...`.
#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Interactive config setup -- creates a server profile.
    ///
    /// Asks for the profile name, server URL, username and password (API key); any given as
    /// flags is not asked for, so scripts can run it without a terminal.
    Init {
        /// Profile name (default: dev)
        #[arg(long)]
        name: Option<String>,
        /// Server URL
        #[arg(long)]
        url: Option<String>,
        /// Username
        #[arg(long)]
        username: Option<String>,
        /// Password/API key
        #[arg(long)]
        password: Option<String>,
    },
    /// Display all server profiles with masked passwords.
    Show,
    /// Set a config value. Examples: default.server, servers.dev.url, servers.dev.username
    Set {
        /// The dotted key
        key: String,
        /// The value (stored as a string)
        value: String,
    },
}

/// `docsfy admin ...`.
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Manage users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage project access.
    #[command(subcommand)]
    Access(AccessCommand),
}

/// `docsfy admin users ...`.
#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// List all users.
    List {
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Create a new user; the API key is shown once.
    ///
    /// Example: `docsfy admin users create alice --role viewer --json`
    Create {
        /// Username to create
        username: String,
        /// User role (user, viewer, admin)
        #[arg(short = 'r', long, default_value = "user")]
        role: String,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a user.
    Delete {
        /// Username to delete
        username: String,
        /// Skip confirmation prompt
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Rotate a user's API key.
    RotateKey {
        /// Username whose key to rotate
        username: String,
        /// Custom API key (generated if omitted)
        #[arg(long)]
        new_key: Option<String>,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
}

/// `docsfy admin access ...`.
#[derive(Subcommand, Debug)]
pub enum AccessCommand {
    /// List users with access to a project.
    List {
        /// Project name
        project: String,
        /// Project owner
        #[arg(long, required = true)]
        owner: String,
        /// Output as JSON
        #[arg(long)]
        json: bool,
    },
    /// Grant a user access to a project.
    ///
    /// The user then sees every variant of OWNER's PROJECT, live in the dashboard too.
    ///
    /// Example: `docsfy admin access grant my-repo --username bob --owner alice`
    Grant {
        /// Project name
        project: String,
        /// Username to grant access
        #[arg(long, required = true)]
        username: String,
        /// Project owner
        #[arg(long, required = true)]
        owner: String,
    },
    /// Revoke a user's access to a project.
    Revoke {
        /// Project name
        project: String,
        /// Username to revoke access
        #[arg(long, required = true)]
        username: String,
        /// Project owner
        #[arg(long, required = true)]
        owner: String,
    },
}
