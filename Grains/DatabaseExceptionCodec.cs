using System.Buffers;
using Ledger.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace Ledger.Grains;

/// <summary>
/// Writes an Npgsql exception, wherever Orleans meets one, as the <see cref="LedgerUnavailableException"/>
/// <see cref="DatabaseExceptionFilter"/> makes of it, so the caller reads that. The filter sees only grain
/// calls; this covers what reaches a caller without passing through it. A grain whose activation fails (its
/// state cannot be read, or OnActivateAsync throws) answers every call queued for it with a rejection that
/// carries the activation's exception as it was thrown (Orleans' ActivationData.RejectAllQueuedMessages),
/// and Orleans has no codec for Npgsql's exceptions: without this, the caller got CodecNotFoundException.
/// </summary>
public sealed class DatabaseExceptionCodec(IServiceProvider services) : IGeneralizedCodec
{
    // Resolved when first needed: the codec provider is what asks for this codec.
    private IFieldCodec<LedgerUnavailableException>? unavailableCodec;

    public bool IsSupportedType(Type type) => typeof(NpgsqlException).IsAssignableFrom(type);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, object? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        unavailableCodec ??= services.GetRequiredService<ICodecProvider>().GetCodec<LedgerUnavailableException>();
        unavailableCodec.WriteField(ref writer, fieldIdDelta, expectedType!, DatabaseExceptionFilter.Unavailable((NpgsqlException)value!));
    }

    /// <summary>Never called: what this codec writes is read as a <see cref="LedgerUnavailableException"/>.</summary>
    public object ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        throw new NotSupportedException("An Npgsql exception is written as a LedgerUnavailableException and read as one.");
}
