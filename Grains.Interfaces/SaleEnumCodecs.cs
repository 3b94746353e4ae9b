using System.Buffers;
using System.Runtime.CompilerServices;
using Ledger.Sale;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// Orleans codecs for the sale core's enums, which know nothing of Orleans: each is written as its int, as a
/// generated codec writes an enum. Without them Orleans falls back to an untyped codec, slower on every call
/// between the gateway and the silos.
/// </summary>
internal abstract class SaleEnumCodec<T> : IFieldCodec<T>
    where T : unmanaged, Enum
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, T value)
        where TBufferWriter : IBufferWriter<byte> =>
        Int32Codec.WriteField(ref writer, fieldIdDelta, expectedType, Unsafe.As<T, int>(ref value), typeof(T));

    public T ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        var value = Int32Codec.ReadValue(ref reader, field);
        return Unsafe.As<int, T>(ref value);
    }
}

[RegisterSerializer]
internal sealed class ChannelCodec : SaleEnumCodec<Channel>;

[RegisterSerializer]
internal sealed class PurchaseOutcomeCodec : SaleEnumCodec<PurchaseOutcome>;

[RegisterSerializer]
internal sealed class CancelOutcomeCodec : SaleEnumCodec<CancelOutcome>;

[RegisterSerializer]
internal sealed class PurchaseStatusCodec : SaleEnumCodec<PurchaseStatus>;
