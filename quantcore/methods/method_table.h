// The registered quantization methods, one row each: QUANTLENS_METHOD(NAMESPACE) names a method
// whose quantcore::methods::NAMESPACE::method() returns its QuantMethod. Included by registry.cpp
// only; the order is the order of listings.
QUANTLENS_METHOD(ptq161)
QUANTLENS_METHOD(rtn)
QUANTLENS_METHOD(gptq)
QUANTLENS_METHOD(pbllm)
QUANTLENS_METHOD(w1a1x4)
QUANTLENS_METHOD(billm)
QUANTLENS_METHOD(arbllm)
