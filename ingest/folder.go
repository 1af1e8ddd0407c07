package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ListingExts are the file name endings ListingFiles takes (compared
// without regard to case).
var ListingExts = []string{".json", ".jsonl", ".ndjson", ".txt", ".csv", ".xml", ".atom", ".rss"}

// ListingFiles lists the listing files of a folder: its regular files
// (or links to one) whose names end in one of ListingExts, or in one of
// them and ".gz" (read decompressed), sorted by name,
// as paths joined to dir. Subfolders are not read, and hidden files (".x")
// are left out. A folder with no listing file is an error naming it.
func ListingFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &SourceError{Source: dir, Msg: "cannot read the folder: " + pathErr(err), Err: err}
	}
	var files []string
	others := 0
	for _, e := range entries { // sorted by name
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		if !listingExt(n) {
			others++
			continue
		}
		path := filepath.Join(dir, n)
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			others++
			continue
		}
		files = append(files, path)
	}
	if len(files) == 0 {
		msg := "an empty folder"
		if others > 0 {
			msg = fmt.Sprintf("a folder with no listing file (%d other entries)", others)
		}
		return nil, &SourceError{Source: dir, Msg: msg + ": papersift reads the files ending " + strings.Join(ListingExts, ", ") +
			" (or those and .gz) of a folder, not its subfolders or hidden files"}
	}
	return files, nil
}

func listingExt(name string) bool {
	lower := strings.ToLower(name)
	ext := filepath.Ext(strings.TrimSuffix(lower, ".gz"))
	for _, e := range ListingExts {
		if ext == e {
			return true
		}
	}
	return false
}

// pathErr is an *os.PathError's reason without the path, which the
// message names already.
func pathErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
