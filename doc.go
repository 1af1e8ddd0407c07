// Package papersift holds the reader's operations over one database of
// papers: what the command line, the tests and any later front-end (a
// local web page, a terminal triage, a daily mail) share.
//
// A Library is a database (opened at its first use) and an embedder (the
// built-in offline model by default, or an OpenAI-compatible endpoint). Its
// operations each take a context and an options struct, whose zero values
// mean the defaults, and return typed results; none prints, reads flags or
// the environment. What an operation tells the reader while it works
// (notices, warnings, progress) goes to Config.Events.
//
//   - Ingest reads listings (files, stdin, URLs; every format of package
//     ingest) and stores them as lists, then embeds what is new (Embed).
//   - Embed gives every paper a vector of the active model. The built-in
//     model is fitted on the corpus when there is none, refitted when the
//     corpus has grown by half since its fit (every vector then changes), and
//     new papers are folded in with the saved fit.
//   - Papers, Stats and Profile read what is stored.
//   - Similar ranks papers by cosine similarity to a paper or a text.
//   - Group clusters a scope into topics with labels (package cluster).
//   - Queue ranks a scope against the reader's likes, dislikes and
//     interests, each pick with a reason (package recommend); Eval measures
//     how well the profile predicts the reader's likes.
//   - Rate, AddInterest and RemoveInterest record the reader's feedback.
//   - Digest is the day's job: ingest, group, queue; Page adds what the
//     digest's HTML page and Markdown show (package digest renders them).
//   - Doctor checks the embedder.
//
// Data flows one way: a source is parsed by package ingest into records
// (paper.Paper and the line it came from), stored by package store, embedded
// by package embed (vectors go back to the store, kept per model), and read
// back as vectors and ids for package cluster and package recommend, whose
// answers the operations turn into results with titles and reasons.
package papersift
