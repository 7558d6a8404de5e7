import KinoraPluginKit

// Short names for the kit's presentation model inside this plugin.
typealias Presentation = PackagerPresentation
typealias Rendition = PresentationRendition
typealias Segment = PresentationSegment
typealias ByteRange = PresentationByteRange
typealias TextTrack = PresentationTextTrack
typealias Protection = PresentationProtection
