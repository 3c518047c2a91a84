package mongodb

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/cynllun/cynllun"
)

// testDB is shared by the package's tests: one embedded FerretDB, or the
// deployment at CYNLLUN_TEST_MONGODB_URI with a database of its own. Tests
// keep apart by using fresh ids (and LAs, settings, learners) of their own.
var (
	testDB  *DB
	testCfg Config
)

func TestMain(m *testing.M) {
	if os.Getenv(ownerChildEnv) != "" {
		// A child process of TestOneOwnerPerDataDir (owner_test.go).
		os.Exit(ownerChild())
	}
	if os.Getenv(backupChildDirEnv) != "" {
		// The backup process of TestBackupWhileWritingThenRestore.
		os.Exit(backupChild())
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	ctx := context.Background()
	testCfg = Config{Monitor: &event.CommandMonitor{Started: recordCommand}}
	if uri := os.Getenv("CYNLLUN_TEST_MONGODB_URI"); uri != "" {
		testCfg.URI = uri
		testCfg.Database = fmt.Sprintf("cynllun_test_%d", time.Now().UnixNano())
	}
	start := time.Now()
	db, err := Open(ctx, testCfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open test database:", err)
		return 1
	}
	testDB = db
	if testing.Verbose() {
		fmt.Printf("test database open in %v (embedded=%v)\n", time.Since(start).Round(time.Millisecond), db.Embedded())
	}
	code := m.Run()
	if !db.Embedded() {
		if err := db.Database().Drop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "drop test database:", err)
		}
	}
	if err := db.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "close test database:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// commandLog collects the names of the commands sent with a context that
// carries it, so tests running in parallel count only their own commands.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

type commandLogKey struct{}

func recordCommand(ctx context.Context, e *event.CommandStartedEvent) {
	if l, ok := ctx.Value(commandLogKey{}).(*commandLog); ok {
		name := e.CommandName
		if name == "find" && byIDFilter(e.Command) {
			name = findByID
		}
		l.mu.Lock()
		l.names = append(l.names, name)
		l.mu.Unlock()
	}
}

// findByID is how the command log names a find whose filter is a single
// _id equality: the one filter embedded FerretDB answers without reading
// the whole collection.
const findByID = "find _id"

// byIDFilter says whether a find command's filter is {_id: "…"}.
func byIDFilter(cmd bson.Raw) bool {
	f, ok := cmd.Lookup("filter").DocumentOK()
	if !ok {
		return false
	}
	elems, err := f.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "_id" {
		return false
	}
	_, isString := elems[0].Value().StringValueOK()
	return isString
}

// wantFlat checks a batch read's commands: on the embedded store only
// finds by _id, at most maxEmbedded of them (the concurrent reads of a
// batch); on MongoDB at most maxMongo commands (one $in find per
// collection read).
func wantFlat(t *testing.T, cmds []string, maxEmbedded, maxMongo int) {
	t.Helper()
	if !testDB.Embedded() {
		if len(cmds) > maxMongo {
			t.Errorf("sent %d commands %v, want at most %d", len(cmds), cmds, maxMongo)
		}
		return
	}
	if len(cmds) > maxEmbedded {
		t.Errorf("sent %d commands, want at most %d", len(cmds), maxEmbedded)
	}
	for _, c := range cmds {
		if c != findByID {
			t.Errorf("sent %q: on the embedded store every read must be a find by _id (sent %v)", c, cmds)
			return
		}
	}
}

// commands runs f with a context that records the commands f sends.
func commands(t *testing.T, f func(ctx context.Context)) []string {
	t.Helper()
	l := &commandLog{}
	f(context.WithValue(t.Context(), commandLogKey{}, l))
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.names)
}

// --- fixtures ---

// t0 is whole milliseconds, so fixtures compare equal after a round trip
// (TestRoundTrip checks the truncation of finer times).
var t0 = time.Date(2026, 3, 1, 9, 30, 15, 123000000, time.UTC)

func ptr[T any](v T) *T { return &v }

func newLearner(laID, settingID, given, family string) *cynllun.Learner {
	return &cynllun.Learner{
		ID:          cynllun.NewID(cynllun.PrefixLearner),
		GivenName:   given,
		FamilyName:  family,
		DateOfBirth: cynllun.MustDate("2015-09-01"),
		Language:    cynllun.LanguageCY,
		LAID:        laID,
		SettingKind: cynllun.SettingSchool,
		SettingID:   settingID,
		CreatedAt:   t0,
		CreatedBy:   "usr_test",
		UpdatedAt:   t0,
	}
}

func mustCreateLearners(t *testing.T, ls ...*cynllun.Learner) {
	t.Helper()
	for _, l := range ls {
		if err := testDB.CreateLearner(t.Context(), l); err != nil {
			t.Fatalf("CreateLearner: %v", err)
		}
	}
}

// fullContent exercises every field, with Welsh text.
func fullContent() *cynllun.Content {
	return &cynllun.Content{
		Consent: cynllun.Consent{
			ConsentGiven:    ptr(true),
			ConsentDetails:  "Cafodd caniatâd ei roi gan fam Siôn ar lafar.",
			CapacityIssues:  ptr(false),
			CapacityDetails: "Dim pryderon ynglŷn â galluedd.",
		},
		Dates: cynllun.MaintainerInfo{
			StartDate:          cynllun.MustDate("2026-01-05"),
			ReviewTargetDate:   cynllun.MustDate("2027-01-04"),
			ProposedReviewDate: cynllun.MustDate("2026-12-07"),
		},
		Profile: cynllun.Profile{
			LikeAndAdmire:  []cynllun.Statement{{Text: "Mae Siôn yn garedig â phawb.", DirectQuote: false}, {Text: "Dwi'n hoffi'r ŵyl ddawns", DirectQuote: true}},
			ImportantToMe:  []cynllun.Statement{{Text: "Mynd i'r tŷ bach ar ei ben ei hun; ŷd a ŵy i frecwast", DirectQuote: true}},
			HowToSupportMe: []cynllun.Statement{{Text: "Rhoi amser i feddwl cyn ateb — êt, îs, ôl, ûn, ïe"}},
			Media:          []string{"att_1", "att_2"},
		},
		Needs: []cynllun.NeedEntry{
			{Description: "Anawsterau iaith a chyfathrebu", ImpactOnLearning: "Yn ei chael hi'n anodd dilyn cyfarwyddiadau hir", Reasons: "Asesiad therapydd iaith a lleferydd"},
			{Description: "Dyslecsia"},
		},
		Provision: []cynllun.ProvisionRow{
			{
				ID:              "row_1",
				IntendedOutcome: "Bydd Gwenllïan yn darllen yn annibynnol",
				Provision:       "Sesiynau darllen un-i-un",
				WelshMedium:     new(true),
				Provider:        "Ysgol Gymraeg Llŷr",
				ProviderType:    cynllun.ProviderSchool,
				StartDate:       cynllun.MustDate("2026-01-05"),
				ReviewOrEndDate: cynllun.MustDate("2026-07-17"),
				DateKind:        cynllun.DateReview,
				Rationale:       "Mae angen cefnogaeth ddwys",
				Quantity:        &cynllun.Quantity{MinutesPerSession: 30, Sessions: 3, Per: cynllun.PerWeek, GroupSize: 1},
			},
			{
				ID:              "row_2",
				IntendedOutcome: "Gwella lleferydd",
				Provision:       "Therapi iaith a lleferydd",
				Provider:        "Bwrdd Iechyd Prifysgol Betsi Cadwaladr",
				ProviderType:    cynllun.ProviderNHSBody,
				StartDate:       cynllun.MustDate("2026-02-01"),
				ReviewOrEndDate: cynllun.MustDate("2027-02-01"),
				DateKind:        cynllun.DateEnd,
				NHSSecured:      true,
				NHSBody:         "BIPBC",
			},
		},
		Placement:       &cynllun.Placement{NamedSchool: "Ysgol y Graig", OtherInstitution: "Coleg Cambria", BoardAndLodging: "Dim"},
		MeetingSummary:  "Cyfarfod â'r teulu; cytunwyd ar y targedau.",
		FurtherSections: []cynllun.FurtherSection{{Key: "3B", Text: "Trefniadau pontio"}, {Key: "3C", Text: "Gwybodaeth arall"}},
		Appendices:      []cynllun.Appendix{{Title: "Adroddiad seicolegydd addysg", Text: "Crynodeb", AttachmentID: "att_3"}},
	}
}

// codeOf is the *cynllun.Error code of err ("" for nil).
func codeOf(err error) cynllun.Code { return cynllun.ErrorCode(err) }

func asError(t *testing.T, err error) *cynllun.Error {
	t.Helper()
	var e *cynllun.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *cynllun.Error", err, err)
	}
	return e
}
