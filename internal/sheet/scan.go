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
	maxSharedStrings  = 2_500_000 // 200,000 rows of a dozen distinct texts
	maxOtherPartBytes = 4 << 20   // styles, workbook, rels, theme: tens of kilobytes in real files
	maxOtherPartsSum  = 16 << 20
	maxCSVFields      = 16_384 // Excel's widest row (column XFD)
)

// xmlShape is what scanXML found: the deepest nesting and the number of <si> entries of a shared
// strings table (elements named si at depth 2).
type xmlShape struct {
	depth, sharedStrings int
}

// scanXML walks XML text without building it: tags, quoted attribute values, comments, CDATA and
// processing instructions, in one pass over fixed-size chunks. It stops with an error as soon as the
// nesting passes maxXMLDepth or the shared strings pass maxSharedStrings.
func scanXML(r io.Reader) (xmlShape, error) {
	const (
		text    = iota
		lt      // after '<'
		name    // in an opening tag's name
		attrs   // in an opening tag after its name
		quoted  // in an attribute value
		closing // in a closing tag
		special // <? … ?> or <!DOCTYPE … >
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
		opened     = func(selfClosing bool) error {
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
					return fmt.Errorf("more than %d shared strings", maxSharedStrings)
				}
			}
			if !selfClosing {
				depth = level
				if depth > sh.depth {
					sh.depth = depth
				}
				if depth > maxXMLDepth {
					return fmt.Errorf("elements nested more than %d deep", maxXMLDepth)
				}
			}
			return nil
		}
	)
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			switch st {
			case text:
				if c == '<' {
					st = lt
				}
			case lt:
				switch c {
				case '/':
					st = closing
				case '?':
					st = special
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
				if c == quote {
					st = attrs
				}
			case closing:
				if c == '>' {
					depth--
					st = text
				}
			case special:
				if c == '>' {
					st = text
				}
			case bang:
				switch c {
				case '-':
					st, run = comment, 0
				case '[':
					st, run = cdata, 0
				default:
					st = special
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
			return sh, nil
		}
		if err != nil {
			return sh, err
		}
	}
}

// csvTooWide reports a record with more than maxCSVFields fields (delimiters outside quotes):
// encoding/csv spends some 50 bytes a field, so a line of commas would cost more than the file.
func csvTooWide(data []byte, delim byte) (line int, wide bool) {
	fields, inQuote := 1, false
	line = 1
	for _, c := range data {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\n':
			line++
			if !inQuote {
				fields = 1
			}
		case inQuote:
		case c == delim:
			fields++
			if fields > maxCSVFields {
				return line, true
			}
		}
	}
	return 0, false
}
