import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// Everything of the social service, registered in one call: profiles, avatars, preferences,
/// watch history, playlists, subscriptions, account deletion, comments and ratings.
struct SocialRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let media: MediaWorker
    let passwords: PasswordChecks

    var deletion: AccountDeletion { AccountDeletion(database: database, registry: registry, config: config) }

    func register(on router: Router<KinoraRequestContext>) {
        ProfileRoutes(database: database).register(on: router)
        AvatarRoutes(database: database, registry: registry, config: config, media: media).register(on: router)
        PreferenceRoutes(database: database).register(on: router)
        HistoryRoutes(database: database).register(on: router)
        PlaylistRoutes(database: database).register(on: router)
        SubscriptionRoutes(database: database).register(on: router)
        AccountRoutes(database: database, deletion: deletion, passwords: passwords).register(on: router)
        let comments = Comments(
            database: database, moderation: ModerationPipeline(registry: registry, policy: config.moderation), policy: config.moderation,
            pace: CommentPace(), notifier: Notifier(database: database, registry: registry, config: config.notifications))
        CommentRoutes(database: database, comments: comments).register(on: router)
        ModerationRoutes(database: database, desk: ModerationDesk(database: database, comments: comments, policy: config.moderation))
            .register(on: router)
    }
}
