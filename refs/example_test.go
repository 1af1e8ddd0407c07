package refs_test

import (
	"fmt"

	"github.com/papersift/papersift/refs"
)

func ExampleParse() {
	data := []byte(`% two references
@article{devlin2018bert,
  title={Bert: Pre-training of deep bidirectional transformers for language understanding},
  author={Devlin, Jacob and Chang, Ming-Wei},
  journal={arXiv preprint arXiv:1810.04805},
  year={2018}
}
@article{hochreiter1997long,
  title = "Long short-term memory",
  author = "Hochreiter, Sepp and Schmidhuber, J{\"u}rgen",
  doi = "10.1162/NECO.1997.9.8.1735",
  year = 1997
}
`)
	f, err := refs.Parse(data, "library.bib")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Format)
	for _, e := range f.Entries {
		fmt.Printf("line %d: arXiv %q, DOI %q, %q by %q\n", e.Line, e.ArxivID, e.DOI, e.Title, e.Authors)
	}
	// Output:
	// bibtex
	// line 2: arXiv "1810.04805", DOI "", "Bert: Pre-training of deep bidirectional transformers for language understanding" by ["Jacob Devlin" "Ming-Wei Chang"]
	// line 8: arXiv "", DOI "10.1162/neco.1997.9.8.1735", "Long short-term memory" by ["Sepp Hochreiter" "Jürgen Schmidhuber"]
}

func ExampleParse_error() {
	_, err := refs.Parse([]byte("@article{a,\n  title = {Attention {is all you need},\n  year = {2017}\n}\n"), "refs.bib")
	fmt.Println(err)
	// Output:
	// refs.bib:2: entry "a" (line 1): the { that opens the value of title is never closed before the end of the file: add the missing } (or remove a stray {)
}
