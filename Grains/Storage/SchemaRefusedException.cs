namespace Ledger.Grains.Storage;

/// <summary>
/// The schema history in the database and the one this code carries disagree, so this process must not
/// start: the message says which file or version and what the operator should do.
/// </summary>
public sealed class SchemaRefusedException(string message, Exception? innerException = null)
    : Exception(message, innerException);
