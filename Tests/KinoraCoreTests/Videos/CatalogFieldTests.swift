import KinoraCore
import Testing

/// The metadata rules uploads and changes share: one refusal naming the field, answered 422
/// by a change and 400 by an upload (which says `bad-visibility` for the visibility).
@Suite struct CatalogFieldTests {
    @Test func aChangeRefusesAFieldAsUnprocessable() {
        #expect(throws: CatalogField.Invalid(field: "title", detail: "title must be 1 to 200 characters without control characters")) {
            try CatalogField.title("   ")
        }
        let invalid = CatalogField.Invalid(field: "title", detail: "bad")
        #expect(invalid.refusal == .unprocessable && invalid.problemType == .invalidField)
        #expect(invalid.extra == ["field": "title"] && invalid.title == "Invalid title")
    }

    @Test func anUploadRefusesTheSameFieldAsABadRequest() {
        let visibility = CatalogField.Invalid(field: "visibility", detail: "bad").asUploadRefusal
        #expect(visibility.refusal == .badRequest && visibility.problemType == .badVisibility)
        #expect(visibility.extra == ["field": "visibility"])
        let language = CatalogField.Invalid(field: "language", detail: "bad").asUploadRefusal
        #expect(language.refusal == .badRequest && language.problemType == .invalidField)
        // A change answers visibility like any other field.
        #expect(CatalogField.Invalid(field: "visibility", detail: "bad").problemType == .invalidField)
    }

    @Test func valuesAreStoredInTheirCanonicalForm() throws {
        #expect(try CatalogField.title("  Hello  ") == "Hello")
        #expect(try CatalogField.language("EN-gb") == "en-GB")
        #expect(try CatalogField.visibility("unlisted") == "unlisted")
        #expect(throws: CatalogField.Invalid.self) { try CatalogField.visibility("secret") }
        #expect(try CatalogField.publishAt("2030-01-31T18:00:00Z") == RFC3339.parse("2030-01-31T18:00:00Z"))
        #expect(throws: CatalogField.Invalid.self) { try CatalogField.publishAt("2030-01-31 18:00") }
    }

    @Test func anUploadTitleFallsBackToTheFileName() {
        #expect(UploadMetadata.title(nil, originalName: "clip.final.mp4") == "clip.final")
        #expect(UploadMetadata.title("", originalName: nil) == "Untitled")
        #expect(UploadMetadata.title(String(repeating: "t", count: 300), originalName: "x.mp4").count == 200)
    }
}
