package discord

import (
	"encoding/json"

	"github.com/bwmarrin/discordgo"
)

// The three interaction endpoints the adapter calls, each request with a
// rate-limit bucket of its own. discordgo (v0.29) keys its buckets by the
// request's path, which for these endpoints holds the interaction's token,
// and never deletes one (bwmarrin/discordgo#1333): every interaction would
// leave a bucket, and its token, in memory for the life of the process.
// It also files every edit of an original response under one constant
// bucket, whose lock is held for the whole request, so edits for all
// users would wait for each other. Discord limits each interaction's
// token on its own and keeps these endpoints out of the global limit, so
// a throwaway bucket per request loses nothing; a 429 is still waited out
// and retried by discordgo.

// respondInteraction is discordgo's Session.InteractionRespond.
func respondInteraction(s *discordgo.Session, i *discordgo.Interaction, resp *discordgo.InteractionResponse, opts ...discordgo.RequestOption) error {
	var files []*discordgo.File
	if resp.Data != nil {
		files = resp.Data.Files
	}
	_, err := interactionRequest(s, "POST", discordgo.EndpointInteractionResponse(i.ID, i.Token), resp, files, opts)
	return err
}

// editResponse is discordgo's Session.InteractionResponseEdit.
func editResponse(s *discordgo.Session, i *discordgo.Interaction, edit *discordgo.WebhookEdit, opts ...discordgo.RequestOption) error {
	_, err := interactionRequest(s, "PATCH", discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original"), edit, edit.Files, opts)
	return err
}

// createFollowup is discordgo's Session.FollowupMessageCreate, waiting
// for Discord to confirm the message.
func createFollowup(s *discordgo.Session, i *discordgo.Interaction, p *discordgo.WebhookParams, opts ...discordgo.RequestOption) error {
	uri := discordgo.EndpointWebhookToken(i.AppID, i.Token) + "?wait=true"
	_, err := interactionRequest(s, "POST", uri, p, p.Files, opts)
	return err
}

// interactionRequest sends data as JSON, or as multipart with files, in a
// bucket of its own (see above).
func interactionRequest(s *discordgo.Session, method, uri string, data any, files []*discordgo.File, opts []discordgo.RequestOption) ([]byte, error) {
	contentType := "application/json"
	var body []byte
	var err error
	if len(files) > 0 {
		contentType, body, err = discordgo.MultipartBodyWithJSON(data, files)
	} else {
		body, err = json.Marshal(data)
	}
	if err != nil {
		return nil, err
	}
	bucket := discordgo.NewRatelimiter().LockBucket(uri)
	return s.RequestWithLockedBucket(method, uri, contentType, body, bucket, 0, opts...)
}
