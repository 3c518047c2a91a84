// Command cynllun is the one binary of Cynllun:
//
//	cynllun serve    the GraphQL API
//	cynllun worker   the task worker
//	cynllun dev      API + worker + embedded stores + sample data, in one process
//	cynllun seed     load reference data (-sample: also the sample data;
//	                 -synthetic N: also N synthetic learners)
//	cynllun token    mint a dev token: cynllun token alnco|parent|officer|admin|<user id>
//	cynllun probe    exit 0 when a URL answers 200 (container health checks)
//	cynllun backup   write a snapshot of the embedded data directory (-o FILE)
//	cynllun restore  unpack a backup into an empty, unused data directory
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cynllun/cynllun/app"
	"github.com/cynllun/cynllun/seed"
)

const usage = `usage: cynllun <command> [flags]

commands:
  serve    run the GraphQL API (MONGODB_URI, REDIS_URL, JWT_SECRET or JWT_JWKS_URL)
  worker   run the task worker
  dev      run everything in one process with embedded stores and sample data
  seed     load the 22 local authorities and health boards (-sample: and sample data;
           -synthetic N [-seed-value S]: and N reproducible synthetic learners)
  token    print a token for a sample role (admin, alnco, parent, officer) or a user id
  probe    GET a URL and exit 0 on 200 (health checks)
  backup   [-o FILE] [-dir DIR]: write a consistent snapshot of the embedded data
           directory (CYNLLUN_DATA_DIR), also while serve runs on it (MongoDB: mongodump)
  restore  [-dir DIR] FILE: unpack a backup into an empty data directory that no
           process uses, after checking it; then start serve on it
           (-check FILE: only check the archive's checksums)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "cynllun:", err)
		os.Exit(1)
	}
}

func run(cmd string, args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dev := cmd == "dev" || cmd == "token" || cmd == "seed"
	cfg, err := app.FromEnv(os.Getenv, dev)
	if err != nil && cmd != "probe" {
		return err
	}
	log := cfg.NewLogger(os.Stderr)
	switch cmd {
	case "serve":
		return app.Serve(ctx, cfg, log)
	case "worker":
		return app.Worker(ctx, cfg, log)
	case "dev":
		return app.Dev(ctx, cfg, log, os.Stdout)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ExitOnError)
		sample := fs.Bool("sample", false, "also load the sample school, learners, plan and users")
		synthetic := fs.Int("synthetic", 0, "also create N reproducible synthetic learners with schools, users, plans, reviews, clocks and ledgers")
		seedValue := fs.Uint64("seed-value", seed.DefaultSyntheticSeed, "the random seed of -synthetic (ids do not depend on it)")
		_ = fs.Parse(args)
		return app.Seed(ctx, cfg, log, app.SeedOptions{Sample: *sample, Synthetic: *synthetic, SeedValue: *seedValue}, os.Stdout)
	case "token":
		fs := flag.NewFlagSet("token", flag.ExitOnError)
		ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
		_ = fs.Parse(args)
		if fs.NArg() != 1 {
			return fmt.Errorf("token: name one role (admin, alnco, parent, officer) or user id")
		}
		tok, err := app.Token(cfg, fs.Arg(0), *ttl, time.Now())
		if err != nil {
			return err
		}
		fmt.Println(tok)
		return nil
	case "probe":
		if len(args) != 1 {
			return fmt.Errorf("probe: give one URL")
		}
		c := &http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(args[0])
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("probe: %s", resp.Status)
		}
		return nil
	case "backup":
		fs := flag.NewFlagSet("backup", flag.ExitOnError)
		out := fs.String("o", "", "the archive to write (a new file; default cynllun-backup-<UTC time>.tar.gz)")
		dir := fs.String("dir", cfg.DataDir, "the embedded data directory (CYNLLUN_DATA_DIR)")
		_ = fs.Parse(args)
		if fs.NArg() != 0 {
			return fmt.Errorf("backup: unexpected %q (name the archive with -o)", fs.Arg(0))
		}
		cfg.DataDir = *dir
		return app.Backup(ctx, cfg, log, *out, os.Stdout)
	case "restore":
		fs := flag.NewFlagSet("restore", flag.ExitOnError)
		dir := fs.String("dir", cfg.DataDir, "the embedded data directory to restore into: empty, and no process using it (CYNLLUN_DATA_DIR)")
		check := fs.Bool("check", false, "only check the archive against its manifest (checksums), restoring nothing")
		_ = fs.Parse(args)
		if fs.NArg() != 1 {
			return fmt.Errorf("restore: name one backup archive")
		}
		if *check {
			return app.VerifyBackup(fs.Arg(0), os.Stdout)
		}
		cfg.DataDir = *dir
		return app.Restore(ctx, cfg, log, fs.Arg(0), os.Stdout)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
