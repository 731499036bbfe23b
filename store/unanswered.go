package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxQuestionRunes is the longest question SaveUnanswered keeps; the rest
// is cut. A question is a sentence or two, and a pasted CV is not kept whole.
const maxQuestionRunes = 500

// maxUnanswered is how many questions the table keeps, the newest: the rate
// limit is per user, so without a bound a few users could grow the file
// without end.
const maxUnanswered = 10_000

// UnansweredQuestion is one kept question the advisor could not answer.
type UnansweredQuestion struct {
	ID       int64
	Question string
	AskedAt  time.Time // the day, at midnight UTC
}

// SaveUnanswered keeps the text of a question the advisor could not answer
// and the day (UTC) it was asked: nothing about who asked, not even the
// time of day, which the log's per-message lines could match to a user.
// The text is cleaned (see cleanQuestion), and one left empty is not kept.
// The table keeps the newest maxUnanswered (10,000) questions.
func (db *DB) SaveUnanswered(ctx context.Context, question string, now time.Time) error {
	return db.saveUnanswered(ctx, question, now, maxUnanswered)
}

func (db *DB) saveUnanswered(ctx context.Context, question string, now time.Time, keep int) error {
	q := cleanQuestion(question)
	if q == "" {
		return nil
	}
	day := askedDay(now).Unix()
	err := db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.Stmt(db.stmt.addUnanswered).QueryRow(q, day).Scan(&id); err != nil {
			return err
		}
		// Rows are only ever deleted oldest first or all at once, so the
		// ids in the table run without gaps up to the new one: this keeps
		// the newest keep, using the primary key alone.
		_, err := tx.Stmt(db.stmt.trimUnanswered).Exec(id - int64(keep))
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("save unanswered question: %w", err)
	}
	return nil
}

// askedDay is the start of t's day in UTC.
func askedDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// cleanQuestion makes a question safe to keep and to print in a terminal:
// valid UTF-8, control characters (escape sequences, line breaks) turned
// into spaces, runs of spaces collapsed, and cut to maxQuestionRunes.
func cleanQuestion(q string) string {
	q = strings.ToValidUTF8(q, string(utf8.RuneError))
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q)
	q = strings.Join(strings.Fields(q), " ")
	if utf8.RuneCountInString(q) <= maxQuestionRunes {
		return q
	}
	rs := []rune(q)[:maxQuestionRunes]
	return strings.TrimRightFunc(string(rs), unicode.IsSpace)
}

// Unanswered returns every kept question, oldest first.
func (db *DB) Unanswered(ctx context.Context) ([]UnansweredQuestion, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id, question, asked_at FROM unanswered ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list unanswered questions: %w", translate(err))
	}
	defer rows.Close()
	var out []UnansweredQuestion
	for rows.Next() {
		var q UnansweredQuestion
		var asked int64
		if err := rows.Scan(&q.ID, &q.Question, &asked); err != nil {
			return nil, fmt.Errorf("list unanswered questions: %w", translate(err))
		}
		q.AskedAt = time.Unix(asked, 0).UTC()
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list unanswered questions: %w", translate(err))
	}
	return out, nil
}

// ClearUnanswered deletes every kept question and returns how many there were.
func (db *DB) ClearUnanswered(ctx context.Context) (int, error) {
	res, err := db.writer.ExecContext(ctx, `DELETE FROM unanswered`)
	if err != nil {
		return 0, fmt.Errorf("clear unanswered questions: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("clear unanswered questions: %w", err)
	}
	return int(n), nil
}
