package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/cynllun/cynllun"
)

// StrictInputs reads inputs exactly, after gqlgen has validated the
// operation and coerced its variables and before anything runs:
//
//   - Enum values in variables must match the schema exactly. gqlparser
//     accepts an enum variable in any case ("cy" for CY), and gqlgen's
//     generated code then looks the text up in a map of the exact names
//     and, on a miss, uses the Go zero value silently: "cy" rendered an
//     English plan, "bulk" became INTERACTIVE. An unknown or wrong-case
//     value is now INVALID with the variable's path (extensions.fields:
//     "input.language"), and nothing runs. Inline enum literals are
//     already checked exactly by gqlparser's validation.
//   - An explicit null (literal or variable) for an argument or input
//     field that has a default in the schema means the default, as if it
//     had been left out: generated clients (genqlient, …) send null for
//     every unset optional field. Slots without a default keep null, where
//     it can mean "clear this value".
type StrictInputs struct {
	schema *ast.Schema
}

var (
	_ graphql.HandlerExtension        = (*StrictInputs)(nil)
	_ graphql.OperationContextMutator = (*StrictInputs)(nil)
)

func (*StrictInputs) ExtensionName() string { return "StrictInputs" }

func (s *StrictInputs) Validate(es graphql.ExecutableSchema) error {
	s.schema = es.Schema()
	return nil
}

func (s *StrictInputs) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	for _, vd := range rc.Operation.VariableDefinitions {
		v, ok := rc.Variables[vd.Variable]
		if !ok {
			continue
		}
		if err := s.readVariable(vd.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(vd.Variable)}); err != nil {
			err.Locations = []gqlerror.Location{{Line: vd.Position.Line, Column: vd.Position.Column}}
			return err
		}
	}
	// Literal nulls (or null variables) in slots with a default: the
	// parsed document is shared through the query cache, so the change is
	// made on a private copy, parsed again, only when one is present.
	if !nullsOnDefaults(rc.Doc, rc.Operation, rc.Variables, false) {
		return nil
	}
	// The text parsed and validated a moment ago; this cannot fail.
	doc, err := parser.ParseQuery(&ast.Source{Input: rc.RawQuery})
	if err != nil {
		return gqlerror.Errorf("parse: %v", err)
	}
	if list := validator.Validate(s.schema, doc); len(list) > 0 {
		return list[0]
	}
	op := doc.Operations.ForName(rc.Operation.Name)
	if op == nil {
		return gqlerror.Errorf("operation %q not found", rc.Operation.Name)
	}
	nullsOnDefaults(doc, op, rc.Variables, true)
	rc.Doc, rc.Operation = doc, op
	return nil
}

// readVariable checks enum values exactly and drops nulls from input
// fields that have a default, in place.
func (s *StrictInputs) readVariable(t *ast.Type, v any, path ast.Path) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			// A single value given for a list is a list of one.
			return s.readVariable(t.Elem, v, path)
		}
		for i, item := range list {
			if err := s.readVariable(t.Elem, item, append(path, ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := s.schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		str, ok := v.(string)
		if !ok || def.EnumValues.ForName(str) == nil {
			return enumError(def, path)
		}
	case ast.InputObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for _, f := range def.Fields {
			fv, present := obj[f.Name]
			if !present {
				continue
			}
			if fv == nil && f.DefaultValue != nil {
				delete(obj, f.Name)
				continue
			}
			if err := s.readVariable(f.Type, fv, append(path, ast.PathName(f.Name))); err != nil {
				return err
			}
		}
	}
	return nil
}

func enumError(def *ast.Definition, path ast.Path) *gqlerror.Error {
	names := make([]string, len(def.EnumValues))
	for i, ev := range def.EnumValues {
		names[i] = ev.Name
	}
	field, values := FieldPath(path[1:]), strings.Join(names, ", ")
	msg := fmt.Sprintf("is not a %s: the values are %s, written exactly so (upper case)", def.Name, values)
	return &gqlerror.Error{
		// The value is not repeated: it could be anything a client sent.
		Message: fmt.Sprintf("variable %s is not a %s: the values are %s, written exactly so (upper case)", field, def.Name, values),
		Path:    path,
		Extensions: map[string]any{
			"code":   string(cynllun.CodeInvalid),
			"fields": []map[string]string{{"field": field, "message": msg}},
		},
	}
}

// FieldPath writes an input path as the fields of extensions.fields do:
// "input.provision[2].start".
func FieldPath(p ast.Path) string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(e)) + "]")
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(e))
		}
	}
	return b.String()
}

// nullsOnDefaults reports whether op (and the fragments of doc) pass null
// to an argument or input-object field that has a default; with remove,
// it takes those out, so the default applies.
func nullsOnDefaults(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any, remove bool) bool {
	found := false
	isNull := func(v *ast.Value) bool {
		switch v.Kind {
		case ast.NullValue:
			return true
		case ast.Variable:
			return vars[v.Raw] == nil
		}
		return false
	}
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		switch v.Kind {
		case ast.ListValue:
			for _, c := range v.Children {
				value(c.Value)
			}
		case ast.ObjectValue:
			kept := v.Children[:0:0]
			for _, c := range v.Children {
				var f *ast.FieldDefinition
				if v.Definition != nil {
					f = v.Definition.Fields.ForName(c.Name)
				}
				if f != nil && f.DefaultValue != nil && isNull(c.Value) {
					found = true
					continue
				}
				value(c.Value)
				kept = append(kept, c)
			}
			if remove {
				v.Children = kept
			}
		}
	}
	var selections func(ss ast.SelectionSet)
	selections = func(ss ast.SelectionSet) {
		for _, sel := range ss {
			switch sel := sel.(type) {
			case *ast.Field:
				var kept ast.ArgumentList
				for _, a := range sel.Arguments {
					var d *ast.ArgumentDefinition
					if sel.Definition != nil {
						d = sel.Definition.Arguments.ForName(a.Name)
					}
					if d != nil && d.DefaultValue != nil && isNull(a.Value) {
						found = true
						continue
					}
					value(a.Value)
					kept = append(kept, a)
				}
				if remove {
					sel.Arguments = kept
				}
				selections(sel.SelectionSet)
			case *ast.InlineFragment:
				selections(sel.SelectionSet)
			}
		}
	}
	selections(op.SelectionSet)
	for _, f := range doc.Fragments {
		selections(f.SelectionSet)
	}
	return found
}
