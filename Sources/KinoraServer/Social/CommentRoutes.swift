import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// Comments (``Comments``) and ratings (``Ratings``) of videos and comments.
struct CommentRoutes {
    let database: KinoraDatabase
    let comments: Comments
    var ratings: Ratings { Ratings(database: database, comments: comments) }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/videos/:id/comments") { request, context in
            try Access.authenticated.check(context)
            let comment = try await comments.post(
                videoID: Self.id(context), try await request.jsonMembers(), by: context.viewer, requestID: context.requestID)
            var response = try JSONResponse.make(.created, try one(comment))
            response.headers[.location] = "/api/v1/comments/\(comment.id)"
            return response
        }
        router.get("api/v1/videos/:id/comments") { request, context in
            try Access.anyone.check(context)
            let sortText = request.uri.queryParameters.get("sort") ?? "new"
            guard let sort = CommentSort(rawValue: sortText) else { throw Refused(.invalidParameter, "sort must be new or top") }
            let page = try comments.list(
                videoID: Self.id(context), sort: sort, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request), viewer: context.viewer)
            let all = (page.pinned.map { [$0] } ?? []) + page.threads
            let mentions = try CommentJSON.mentions(all.flatMap { [$0.comment] + $0.replies }, database: database)
            return try JSONResponse.make(
                .ok,
                [
                    "items": page.threads.map { CommentJSON.thread($0, mentions: mentions) },
                    "pinned": page.pinned.map { CommentJSON.thread($0, mentions: mentions) } ?? NSNull(),
                    "next_cursor": page.nextCursor ?? NSNull(),
                ] as [String: Any])
        }
        router.get("api/v1/comments/:id") { _, context in
            try Access.anyone.check(context)
            return try JSONResponse.make(.ok, try one(try comments.visible(Self.id(context), to: context.viewer)))
        }
        router.get("api/v1/comments/:id/replies") { request, context in
            try Access.anyone.check(context)
            let page = try comments.replies(
                of: Self.id(context), limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request), viewer: context.viewer)
            let mentions = try CommentJSON.mentions(page.comments, database: database)
            return try JSONResponse.make(
                .ok,
                ["items": page.comments.map { CommentJSON.object($0, mentions: mentions) }, "next_cursor": page.nextCursor ?? NSNull()] as [String: Any])
        }
        router.patch("api/v1/comments/:id") { request, context in
            try Access.authenticated.check(context)
            let edited = try await comments.edit(Self.id(context), try await request.jsonMembers(), by: context.viewer, requestID: context.requestID)
            return try JSONResponse.make(.ok, try one(edited))
        }
        router.delete("api/v1/comments/:id") { request, context in
            try Access.authenticated.check(context)
            try comments.delete(Self.id(context), reason: request.uri.queryParameters.get("reason").map { String($0) }, by: context.viewer)
            return Response(status: .noContent)
        }
        router.put("api/v1/comments/:id/rating") { request, context in
            try Access.authenticated.check(context)
            return try JSONResponse.make(.ok, Self.counts(try ratings.rateComment(Self.id(context), try await request.jsonMembers(), by: context.viewer)))
        }
        router.put("api/v1/videos/:id/rating") { request, context in
            try Access.authenticated.check(context)
            return try JSONResponse.make(.ok, Self.counts(try ratings.rateVideo(Self.id(context), try await request.jsonMembers(), by: context.viewer)))
        }
        router.put("api/v1/videos/:id/pinned-comment") { request, context in
            try Access.authenticated.check(context)
            let body = try await request.jsonMembers()
            try BodyFields.refuseUnknownKeys(body, allowed: ["comment_id"])
            var commentID: String?
            switch body["comment_id"] {
            case nil, .null?: commentID = nil
            case let value?:
                guard let id = value.stringValue, id.count <= 64 else { throw InvalidField("comment_id", "comment_id must be a comment id or null") }
                commentID = id
            }
            try comments.pin(videoID: Self.id(context), commentID: commentID, by: context.viewer)
            return Response(status: .noContent)
        }
    }

    func one(_ comment: CommentRecord) throws -> [String: Any] {
        CommentJSON.object(comment, mentions: try CommentJSON.mentions([comment], database: database))
    }

    static func counts(_ counts: RatingCounts) -> [String: Any] {
        ["likes": counts.likes, "dislikes": counts.dislikes, "my_rating": counts.myRating.rawValue]
    }

    static func id(_ context: KinoraRequestContext) -> String { context.parameters.get("id") ?? "" }
}
