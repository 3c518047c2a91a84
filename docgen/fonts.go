package docgen

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// The Go fonts are parsed once per process.
//
// maroto v2.3.3 hands every new document's fonts to gofpdf v1.4.3's
// AddUTF8FontFromBytes, which parses the TrueType file and then hashes a
// JSON encoding of its 65,536-entry width table to name it: about a third
// of the CPU of a six-page plan. Neither library has a way to give a
// document fonts that are already parsed, so docgen does it itself:
//
//   - once, it lets gofpdf parse the three fonts into a document of its own
//     (which is never written out) and keeps the font definitions;
//   - for each document, it makes maroto's document without custom fonts,
//     which leaves gofpdf with one error, "undefined font", from selecting
//     the default font; it clears that error, puts a copy of each kept
//     definition in the document's font table and selects the default font
//     again, just as maroto would have. From there the document is the same
//     as if gofpdf had parsed the fonts itself, byte for byte (a test checks
//     this against the parsing path).
//
// The font table, the definitions and maroto's pointer to the gofpdf
// document are unexported, so this reaches them by reflection. What it
// relies on is checked once, on first use; if any of it is missing (another
// version of either library), fontCache reports why and every document
// parses its fonts again, as before.
//
// Each document's copy shares only what gofpdf never writes once the font
// is parsed (the width table and the parsed metrics). It has its own set of
// used runes, and its own parser state with its own copy of the font file:
// subsetting the font when the document is written resets the parser's
// tables and pads the file's tables in place.

// goFont is one of the Go fonts under its maroto style.
type goFont struct {
	style fontstyle.Type
	ttf   []byte
}

var goFonts = []goFont{
	{fontstyle.Normal, goregular.TTF},
	{fontstyle.Bold, gobold.TTF},
	{fontstyle.Italic, goitalic.TTF},
}

// parsedFont is a font definition as gofpdf made it, under gofpdf's key for
// it, and the file it came from.
type parsedFont struct {
	key string
	def reflect.Value // a gofpdf fontDefType; read, never written
	ttf []byte
}

var fontCacheOnce = sync.OnceValues(loadFonts)

// parseFontsEachTime makes every document parse its own fonts, as maroto
// does by itself; tests set it to compare the two.
var parseFontsEachTime = false

// fontCache is the parsed Go fonts, or why they cannot be reused.
func fontCache() ([]parsedFont, error) {
	if parseFontsEachTime {
		return nil, errors.New("parsing fonts for each document")
	}
	return fontCacheOnce()
}

// loadFonts parses the Go fonts in a gofpdf document of its own and checks
// that a maroto document can be given them.
func loadFonts() ([]parsedFont, error) {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm"})
	for _, f := range goFonts {
		pdf.AddUTF8FontFromBytes(family, string(f.style), bytes.Clone(f.ttf))
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	table, err := fontTable(pdf)
	if err != nil {
		return nil, err
	}
	var set []parsedFont
	for _, f := range goFonts {
		key := family + string(f.style)
		v := table.MapIndex(reflect.ValueOf(key))
		if !v.IsValid() {
			return nil, fmt.Errorf("gofpdf has no font %q", key)
		}
		def := reflect.New(v.Type()).Elem()
		def.Set(v)
		if err := checkDef(def); err != nil {
			return nil, err
		}
		set = append(set, parsedFont{key: key, def: def, ttf: f.ttf})
	}
	// A probe: a document made the way newMaroto makes one takes the fonts.
	m, err := newMarotoWith(pdfSetup{title: "probe", pageNumber: "{current}"}, set)
	if err != nil {
		return nil, err
	}
	if _, err := generate(m, pdfSetup{created: pdfDate(time.Time{})}); err != nil {
		return nil, err
	}
	return set, nil
}

// checkDef checks that a gofpdf font definition has the fields addFonts
// copies, of the types it expects.
func checkDef(def reflect.Value) error {
	want := func(v reflect.Value, name string, kind reflect.Kind) (reflect.Value, error) {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != kind {
			return reflect.Value{}, fmt.Errorf("gofpdf: %s.%s is not a %s", v.Type(), name, kind)
		}
		return f, nil
	}
	if _, err := want(def, "usedRunes", reflect.Map); err != nil {
		return err
	}
	if def.FieldByName("usedRunes").Type() != reflect.TypeFor[map[int]int]() {
		return errors.New("gofpdf: usedRunes is not a map[int]int")
	}
	utf, err := want(def, "utf8File", reflect.Pointer)
	if err != nil {
		return err
	}
	if utf.IsNil() || utf.Elem().Kind() != reflect.Struct {
		return errors.New("gofpdf: the font has no parsed file")
	}
	reader, err := want(utf.Elem(), "fileReader", reflect.Pointer)
	if err != nil {
		return err
	}
	if reader.Type().Elem().Kind() != reflect.Struct {
		return errors.New("gofpdf: fileReader is not a struct")
	}
	array := reflect.New(reader.Type().Elem()).Elem().FieldByName("array")
	if !array.IsValid() || array.Type() != reflect.TypeFor[[]byte]() {
		return errors.New("gofpdf: fileReader.array is not a []byte")
	}
	return nil
}

// fontTable is a gofpdf document's table of fonts, writable.
func fontTable(pdf *gofpdf.Fpdf) (reflect.Value, error) {
	t := reflect.ValueOf(pdf).Elem().FieldByName("fonts")
	if !t.IsValid() || t.Kind() != reflect.Map || t.Type().Key().Kind() != reflect.String {
		return reflect.Value{}, errors.New("gofpdf: Fpdf.fonts is not a map by name")
	}
	return writable(t), nil
}

// writable is an addressable field, unexported or not, as a value that can
// be read and set.
func writable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// gofpdfOf is the gofpdf document under a maroto document (the fpdf of its
// provider).
func gofpdfOf(m core.Maroto) (*gofpdf.Fpdf, error) {
	v := reflect.ValueOf(m)
	for _, name := range []string{"provider", "fpdf"} {
		if v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return nil, fmt.Errorf("maroto: no %s in %s", name, v.Type())
		}
		v = v.Elem().FieldByName(name)
		if !v.IsValid() {
			return nil, fmt.Errorf("maroto: no field %s", name)
		}
	}
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() || v.Type() != reflect.TypeFor[*gofpdf.Fpdf]() || v.IsNil() {
		return nil, errors.New("maroto: the provider's fpdf is not a *gofpdf.Fpdf")
	}
	return (*gofpdf.Fpdf)(v.UnsafePointer()), nil
}

// addFonts gives a maroto document made without custom fonts the parsed Go
// fonts, and selects the default font as maroto tried to.
func addFonts(m core.Maroto, set []parsedFont, def fontstyle.Type, size float64) error {
	pdf, err := gofpdfOf(m)
	if err != nil {
		return err
	}
	// maroto selected the default font before it was there; that is the
	// only error there may be.
	if err := pdf.Error(); err == nil || err.Error() != "undefined font: "+family+" "+string(def) {
		return fmt.Errorf("gofpdf: want only the undefined font error, have %v", err)
	}
	pdf.ClearError()
	table, err := fontTable(pdf)
	if err != nil {
		return err
	}
	for _, f := range set {
		d := reflect.New(f.def.Type()).Elem()
		d.Set(f.def)
		runes := writable(d.FieldByName("usedRunes"))
		runes.Set(reflect.ValueOf(maps.Clone(runes.Interface().(map[int]int))))
		utf := writable(d.FieldByName("utf8File"))
		parsed := reflect.New(utf.Type().Elem())
		parsed.Elem().Set(utf.Elem())
		reader := writable(parsed.Elem().FieldByName("fileReader"))
		r := reflect.New(reader.Type().Elem())
		writable(r.Elem().FieldByName("array")).SetBytes(bytes.Clone(f.ttf))
		reader.Set(r)
		utf.Set(parsed)
		table.SetMapIndex(reflect.ValueOf(f.key), d)
	}
	pdf.SetFont(family, string(def), size)
	return pdf.Error()
}
