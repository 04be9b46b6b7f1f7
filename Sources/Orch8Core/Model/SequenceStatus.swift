/// The release status of a sequence definition.
public enum SequenceStatus: String, WireEnum {
    case draft
    case staging
    case production
    case unpublished
}
