package embedded

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	storemongo "github.com/assayhq/assay/storage/mongo"
	"go.mongodb.org/mongo-driver/bson"
)

// killChildEnv makes the test binary, started again by startKillable, serve
// the embedded database from the folder it names until it is killed.
const killChildEnv = "ASSAY_TEST_KILLABLE_FERRETDB"

func TestMain(m *testing.M) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		mongo, err := StartMongo(context.Background(), dir, "127.0.0.1:0", Sync(os.Getenv(killChildEnv+"_SYNC")), nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(mongo.URI)
		select {} // until killed
	}
	os.Exit(m.Run())
}

// startKillable runs the embedded database in a process of its own, so
// that the test can kill it the way a crash or an OOM kill would.
func startKillable(t *testing.T, dir string, sync Sync) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir, killChildEnv+"_SYNC="+string(sync))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	uri := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		uri <- strings.TrimSpace(line)
	}()
	select {
	case u := <-uri:
		if u == "" {
			t.Fatal("the database process exited before serving")
		}
		return cmd, u
	case <-time.After(60 * time.Second):
		t.Fatal("the database process did not start within 60s")
	}
	return nil, ""
}

// Every write the driver saw acknowledged survives a SIGKILL of the
// database process, in both sync modes: SyncNormal gives up only what an
// operating system crash or a power cut takes, never what a dead process
// takes.
func TestAcknowledgedWritesSurviveAKilledProcess(t *testing.T) {
	for _, sync := range []Sync{SyncNormal, SyncFull} {
		t.Run(string(sync), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			cmd, uri := startKillable(t, dir, sync)
			db, err := storemongo.Connect(ctx, uri, "assay")
			if err != nil {
				t.Fatal(err)
			}
			const n = 100
			for i := range n {
				if _, err := db.Collection("answers").InsertOne(ctx, bson.M{"_id": i, "v": "yes"}); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Collection("answers").UpdateOne(ctx, bson.M{"_id": i}, bson.M{"$set": bson.M{"v": "no"}}); err != nil {
					t.Fatal(err)
				}
			}
			_ = db.Client().Disconnect(ctx)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			_, uri = startKillable(t, dir, sync)
			db, err = storemongo.Connect(ctx, uri, "assay")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Client().Disconnect(ctx)
			got, err := db.Collection("answers").CountDocuments(ctx, bson.M{"v": "no"})
			if err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Fatalf("after SIGKILL %d of %d acknowledged updates are there", got, n)
			}
		})
	}
}

func TestStartMongoRefusesAnUnknownSyncMode(t *testing.T) {
	if _, err := StartMongo(context.Background(), t.TempDir(), "127.0.0.1:0", "sometimes", nil); err == nil || !strings.Contains(err.Error(), "sync") {
		t.Fatalf("an unknown sync mode: %v, want an error naming it", err)
	}
}
