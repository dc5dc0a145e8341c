package sheet

import (
	"fmt"
	"io"
)

// Bounds on what excelize is given to parse, checked by streaming the parts before it sees them:
// its XML decoding costs far more memory than the bytes (≈ 100 bytes per shared string, tokens kept
// for every open element), so a small upload could otherwise take gigabytes.
const (
	maxXMLDepth       = 64        // a real worksheet nests 5 deep (worksheet, sheetData, row, c, is/t)
	maxSharedStrings  = 1_000_000 // 200,000 rows of five distinct texts each; excelize spends some 100 bytes on each
	maxOtherPartBytes = 4 << 20   // styles, workbook, rels, theme: tens of kilobytes in real files
	maxOtherPartsSum  = 16 << 20
	maxCSVFields      = 16_384 // Excel's widest row (column XFD)
)

// xmlShape is what scanXML found: the deepest nesting and the number of <si> entries of a shared
// strings table (elements named si at depth 2).
type xmlShape struct {
	depth, sharedStrings, rows int
}

// scanError is why scanXML refused a part: kind says which message the user gets.
type scanError struct {
	kind   int
	detail string
}

const (
	scanBomb   = iota // nesting or shared strings beyond any real workbook
	scanLong          // a cell, shared string, attribute, comment or run of text too long
	scanEntity        // an entity reference XML does not predefine, or a DTD
	scanRows          // more rows than maxRows
)

func (e *scanError) Error() string { return e.detail }

// maxTagBytes bounds one tag (its name and attributes): real tags are tens of bytes.
const maxTagBytes = 64 << 10

// scanXML walks XML text without building it: tags, quoted attribute values, comments, CDATA and
// processing instructions, in one pass over fixed-size chunks. It stops with a *scanError as soon as
// the nesting passes maxXMLDepth, the shared strings pass maxSharedStrings, any run of text (or a
// comment, CDATA section or processing instruction) passes maxText bytes, the text of one cell (<c>)
// or shared string (<si>) passes maxText bytes in all, a tag passes maxTagBytes, or an entity other
// than the five XML predefines (and character references) appears. This is what keeps memory bounded
// before decompression: excelize's XML decoder holds a whole text token, attribute or item in memory,
// so a 200 KB upload holding one 200 MB cell would otherwise take a gigabyte; and an unknown entity
// makes it stop reading the sheet silently, dropping the cells after it.
//
// maxRows bounds the row elements of a worksheet (elements named row at depth 3; 0: no bound): excelize
// spends some 20 µs on each, empty or not, and empty rows do not count towards Limits.MaxRows.
func scanXML(r io.Reader, maxText, maxRows int) (xmlShape, error) {
	const (
		text    = iota
		lt      // after '<'
		name    // in an opening tag's name
		attrs   // in an opening tag after its name
		quoted  // in an attribute value
		closing // in a closing tag
		special // <? … ?> or <! … >
		bang    // after "<!"
		comment // <!-- … -->
		cdata   // <![CDATA[ … ]]>
	)
	var (
		sh         xmlShape
		depth, run int
		st         = text
		quote      byte
		slash      bool
		nm         []byte
		buf        = make([]byte, 64<<10)
		// run lengths: text since the last tag, the current tag, the current comment/CDATA/PI, and the
		// text of the open cell or shared string (item, opened at itemDepth; 0: none open)
		textLen, tagLen, specLen, itemLen, itemDepth int
		// an entity reference being read: inEntity, its name so far, and the state to go back to
		inEntity bool
		ent      []byte
		long     = func(what string) error {
			return &scanError{scanLong, fmt.Sprintf("%s longer than %d bytes", what, maxText)}
		}
		opened = func(selfClosing bool) error {
			local := nm
			for i := len(nm) - 1; i >= 0; i-- {
				if nm[i] == ':' {
					local = nm[i+1:]
					break
				}
			}
			level := depth + 1
			if string(local) == "si" && level == 2 {
				sh.sharedStrings++
				if sh.sharedStrings > maxSharedStrings {
					return &scanError{scanBomb, fmt.Sprintf("more than %d shared strings", maxSharedStrings)}
				}
			}
			if string(local) == "row" && level == 3 {
				if sh.rows++; maxRows > 0 && sh.rows > maxRows {
					return &scanError{scanRows, fmt.Sprintf("more than %d rows", maxRows)}
				}
			}
			if !selfClosing {
				depth = level
				if depth > sh.depth {
					sh.depth = depth
				}
				if depth > maxXMLDepth {
					return &scanError{scanBomb, fmt.Sprintf("elements nested more than %d deep", maxXMLDepth)}
				}
				if itemDepth == 0 && (string(local) == "c" || string(local) == "si") {
					itemDepth, itemLen = depth, 0
				}
			}
			return nil
		}
		// entity takes one byte of an entity reference (after '&'); it reports an unknown entity.
		entity = func(c byte) error {
			if c != ';' {
				if len(ent) >= 12 {
					return &scanError{scanEntity, fmt.Sprintf("entity &%s… is not predefined", ent)}
				}
				ent = append(ent, c)
				return nil
			}
			inEntity = false
			if knownEntity(ent) {
				return nil
			}
			return &scanError{scanEntity, fmt.Sprintf("entity &%s; is not predefined", ent)}
		}
	)
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			if inEntity && (st == text || st == quoted) {
				if err := entity(c); err != nil {
					return sh, err
				}
				if st == text {
					textLen++
					itemLen++
				} else {
					tagLen++
				}
				continue
			}
			switch st {
			case text:
				switch c {
				case '<':
					st, textLen, tagLen = lt, 0, 1
				case '&':
					inEntity, ent = true, ent[:0]
					fallthrough
				default:
					textLen++
					if textLen > maxText {
						return sh, long("text")
					}
					if itemDepth > 0 {
						if itemLen++; itemLen > maxText {
							return sh, long("cell or shared string")
						}
					}
				}
				continue
			case comment, cdata, special:
				if specLen++; specLen > maxText {
					return sh, long("comment, CDATA or processing instruction")
				}
				if st == cdata && itemDepth > 0 {
					if itemLen++; itemLen > maxText {
						return sh, long("cell or shared string")
					}
				}
			default:
				if tagLen++; tagLen > maxTagBytes {
					return sh, &scanError{scanLong, fmt.Sprintf("tag longer than %d bytes", maxTagBytes)}
				}
			}
			switch st {
			case lt:
				switch c {
				case '/':
					st = closing
				case '?':
					st, specLen = special, 0
				case '!':
					st = bang
				default:
					st, nm, slash = name, append(nm[:0], c), false
				}
			case name, attrs:
				switch c {
				case '>':
					if err := opened(slash); err != nil {
						return sh, err
					}
					st = text
				case '/':
					slash = true
				case '"', '\'':
					st, quote = quoted, c
				case ' ', '\t', '\r', '\n':
					st = attrs
				default:
					slash = false
					if st == name && len(nm) < 64 {
						nm = append(nm, c)
					}
				}
			case quoted:
				switch c {
				case quote:
					st = attrs
				case '&':
					inEntity, ent = true, ent[:0]
				}
			case closing:
				if c == '>' {
					if depth == itemDepth {
						itemDepth = 0
					}
					depth--
					st = text
				}
			case special:
				if c == '>' {
					st = text
				}
			case bang:
				specLen = 0
				switch c {
				case '-':
					st, run = comment, 0
				case '[':
					st, run = cdata, 0
				default:
					// <!DOCTYPE …>: a workbook has no DTD; one may declare entities.
					return sh, &scanError{scanEntity, "document type declaration"}
				}
			case comment, cdata:
				end := byte('-')
				if st == cdata {
					end = ']'
				}
				switch {
				case c == end:
					run++
				case c == '>' && run >= 2:
					st = text
				default:
					run = 0
				}
			}
		}
		if err == io.EOF {
			if inEntity {
				return sh, &scanError{scanEntity, "unterminated entity"}
			}
			return sh, nil
		}
		if err != nil {
			return sh, err
		}
	}
}

// knownEntity: amp, lt, gt, quot, apos, or a character reference (#123, #x1F).
func knownEntity(e []byte) bool {
	switch string(e) {
	case "amp", "lt", "gt", "quot", "apos":
		return true
	}
	if len(e) < 2 || e[0] != '#' {
		return false
	}
	digits, hex := e[1:], false
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, hex = digits[1:], true
	}
	if len(digits) == 0 {
		return false
	}
	for _, d := range digits {
		switch {
		case '0' <= d && d <= '9':
		case hex && ('a' <= d && d <= 'f' || 'A' <= d && d <= 'F'):
		default:
			return false
		}
	}
	return true
}

// csvTooWide reports a record with more than maxCSVFields fields (delimiters outside quotes):
// encoding/csv spends some 50 bytes a field, so a line of commas would cost more than the file.
func csvTooWide(data []byte, delim byte) (line int, wide bool) {
	line, wide, _ = csvShape(data, delim, -1)
	return line, wide
}

// csvShape walks CSV text once: it reports the line of the first record with more than maxCSVFields
// fields (wide), or of the first field longer than maxField bytes (long; maxField < 0: no bound), so
// that encoding/csv never gathers a field or a record bigger than the bounds.
func csvShape(data []byte, delim byte, maxField int) (line int, wide, long bool) {
	fields, inQuote, field := 1, false, 0
	line = 1
	for _, c := range data {
		field++
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\n':
			line++
			if !inQuote {
				fields, field = 1, 0
			}
		case inQuote:
		case c == delim:
			fields, field = fields+1, 0
			if fields > maxCSVFields {
				return line, true, false
			}
		}
		if maxField >= 0 && field > maxField {
			return line, false, true
		}
	}
	return 0, false, false
}
